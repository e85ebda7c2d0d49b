namespace Metering.Query.Accounts;

/// <summary>
/// The answer of <c>GET</c> and <c>PUT /v1/accounts/{account}/settings</c>: whether reports show the account's
/// subjects (<c>true</c>, the default) or pseudonyms (<c>hash:…</c>).
/// </summary>
public sealed record AccountSettingsResponse(string Account, bool PersonalData);
