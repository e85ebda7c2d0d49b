namespace Metering.Query.Accounts;

/// <summary>The body of <c>PUT /v1/accounts/{account}/settings</c>; any other property is refused.</summary>
public sealed record AccountSettingsRequest(bool PersonalData);
