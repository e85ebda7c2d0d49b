using System.Text.Json;
using Metering.ClickHouse;
using Metering.Events;
using Metering.Query.Assignments;
using Metering.ServiceDefaults;
using Metering.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.OpenApi;

namespace Metering.Query.Accounts;

/// <summary><c>/v1/accounts/{account}/settings</c>: whether reports show the account's subjects or pseudonyms (DESIGN.md §7).</summary>
internal static class AccountSettingsEndpoints
{
    /// <summary>The largest body a settings write may have; <c>{"personalData": false}</c> is 23 bytes.</summary>
    public const int MaxBodyBytes = 4096;

    private const string PersonalDataProperty = "personalData";

    public static IEndpointRouteBuilder MapAccountSettingsEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/accounts/{account}/settings", GetSettingsAsync)
            .WithName("GetAccountSettings")
            .WithSummary("The account's settings: whether reports show its subjects (personalData true, the default) or pseudonyms.")
            .Produces<AccountSettingsResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .RequireApiKey(ApiRole.Admin, ApiRole.Finance, ApiRole.Viewer);
        app.MapPut("/v1/accounts/{account}/settings", PutSettingsAsync)
            .WithName("PutAccountSettings")
            .WithSummary("Change the account's settings: personalData false shows subjects in reports as pseudonyms (hash:…), "
                + "true shows them as they are; a subject keeps its pseudonym however often this changes.")
            .AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
            {
                // Not Accepts<T>: its content-type constraint would answer 415 before the key is checked (401 first).
                var schema = await context.GetOrCreateSchemaAsync(typeof(AccountSettingsRequest), null, cancellationToken);
                schema.AdditionalPropertiesAllowed = false;
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Description = "A JSON object with personalData (true or false) and nothing else.",
                    Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
                };
            })
            .Produces<AccountSettingsResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .RequireApiKey(ApiRole.Admin);
        return app;
    }

    private static async Task<IResult> GetSettingsAsync(
        string account, HttpContext http, AccountSettingsStore store, CancellationToken cancellationToken)
    {
        if (AccountAccess.Check(http, account) is { } refused)
        {
            return refused;
        }

        try
        {
            var settings = (await store.LoadAsync([account], cancellationToken))[account];
            return TypedResults.Ok(new AccountSettingsResponse(account, settings.PersonalData));
        }
        catch (Exception e) when (ClickHouseClient.IsTransient(e, cancellationToken))
        {
            return Unavailable(e);
        }
    }

    private static async Task<IResult> PutSettingsAsync(
        string account, HttpContext http, AccountSettingsStore store, CancellationToken cancellationToken)
    {
        if (AccountAccess.Check(http, account) is { } refused)
        {
            return refused;
        }

        if (!JsonMediaType.Matches(http.Request.ContentType))
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported Media Type",
                """Content-Type must be application/json (UTF-8): {"personalData": false}.""");
        }

        using var body = await RequestBody.ReadAsync(http.Request, MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Payload Too Large", $"The body is larger than {MaxBodyBytes} bytes.");
        }

        if (Read(body.Memory, out var reason) is not { } personalData)
        {
            return Problem(StatusCodes.Status400BadRequest, "Bad Request", reason!);
        }

        try
        {
            // Not the request's token: once sent, the insert completes or fails whole whether or not the client still waits.
            var settings = await store.WriteAsync(account, personalData, CancellationToken.None);
            return TypedResults.Ok(new AccountSettingsResponse(account, settings.PersonalData));
        }
        catch (Exception e) when (ClickHouseClient.IsTransient(e, cancellationToken))
        {
            return Unavailable(e);
        }
    }

    /// <summary>The <c>personalData</c> of a body that is exactly <c>{"personalData": true|false}</c>, or null with the reason.</summary>
    private static bool? Read(ReadOnlyMemory<byte> body, out string? reason)
    {
        reason = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException ex)
        {
            reason = $"body: not valid JSON ({ex.Message})";
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                reason = $$"""body: must be a JSON object such as {"personalData": false}, not {{JsonText.Describe(root.ValueKind)}}""";
                return null;
            }

            bool? personalData = null;
            foreach (var property in root.EnumerateObject())
            {
                if (!property.NameEquals(PersonalDataProperty))
                {
                    reason = AssignmentReader.TryGetName(property, out var name)
                        ? $"{AssignmentReader.Printable(name)}: unknown property; the only property is {PersonalDataProperty}"
                        : "body: a property name is not valid UTF-8";
                    return null;
                }

                if (personalData is not null)
                {
                    reason = $"{PersonalDataProperty}: given more than once";
                    return null;
                }

                if (property.Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    reason = $"{PersonalDataProperty}: must be true or false, not {JsonText.Describe(property.Value.ValueKind)}";
                    return null;
                }

                personalData = property.Value.GetBoolean();
            }

            if (personalData is null)
            {
                reason = $"{PersonalDataProperty}: required (true shows the account's subjects in reports, false shows pseudonyms)";
            }

            return personalData;
        }
    }

    private static ProblemHttpResult Unavailable(Exception e) =>
        Problem(StatusCodes.Status503ServiceUnavailable, "Service Unavailable", $"ClickHouse cannot be reached, so the settings are unknown: {e.Message}");

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail, statusCode: status, title: title);
}
