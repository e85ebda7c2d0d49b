using System.Text.Json;
using Metering.Events;
using Metering.Query.OpenApi;
using Metering.ServiceDefaults;
using Metering.ServiceDefaults.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Metering.Query.Assignments;

/// <summary><c>/v1/directory/assignments</c>: effective-dated team membership used for attribution (DESIGN.md §5.3).</summary>
internal static class AssignmentEndpoints
{
    public static IEndpointRouteBuilder MapAssignmentEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/directory/assignments", PostAssignmentsAsync)
            .WithName("PostAssignments")
            .WithSummary("Write effective-dated team assignments; all of the request or none of it.")
            .AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
            {
                // Not Accepts<T>: its content-type constraint would answer 415 before the key is checked (401 first).
                var schema = await context.GetOrCreateSchemaAsync(typeof(IReadOnlyList<AssignmentResponse>), null, cancellationToken);
                schema.Items?.Required?.ExceptWith(["group", "validTo"]);
                operation.RequestBody = new OpenApiRequestBody
                {
                    Required = true,
                    Description = "A JSON array of assignments; group and validTo are optional (none, open-ended).",
                    Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
                };
            })
            .Produces<AssignmentWriteResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .RequireApiKey(ApiRole.Admin);
        app.MapGet("/v1/directory/assignments", GetAssignmentsAsync)
            .WithName("GetAssignments")
            .WithSummary("The current assignments of an account (and subject), by subject and validFrom.")
            .WithQueryParameters(
                new QueryParameter("account", "The account; required unless the key is scoped to one."),
                new QueryParameter("subject", "Only this subject's assignments."))
            .Produces<IReadOnlyList<AssignmentResponse>>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .RequireApiKey(ApiRole.Admin, ApiRole.Finance, ApiRole.Viewer);
        return app;
    }

    private static async Task<IResult> PostAssignmentsAsync(
        HttpContext http, AssignmentStore store, IOptions<DirectoryOptions> options, CancellationToken cancellationToken)
    {
        var limits = options.Value;
        if (!JsonMediaType.Matches(http.Request.ContentType))
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported Media Type",
                "Content-Type must be application/json (UTF-8): a JSON array of assignments.");
        }

        using var body = await RequestBody.ReadAsync(http.Request, limits.MaxBodyBytes, cancellationToken);
        if (body is null)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Payload Too Large",
                $"The body is larger than {limits.MaxBodyBytes} bytes; send fewer assignments per request.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.Memory, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            return Problem(StatusCodes.Status400BadRequest, "Bad Request", $"body: not valid JSON ({ex.Message})");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
            {
                return Problem(StatusCodes.Status400BadRequest, "Bad Request",
                    $"body: must be a JSON array of assignments, not {JsonText.Describe(root.ValueKind)}; send one assignment as [ {{ … }} ].");
            }

            var count = root.GetArrayLength();
            if (count == 0)
            {
                return Problem(StatusCodes.Status400BadRequest, "Bad Request", "body: the array is empty; send at least one assignment.");
            }

            if (count > limits.MaxAssignmentsPerRequest)
            {
                return Problem(StatusCodes.Status413PayloadTooLarge, "Payload Too Large",
                    $"The request has {count} assignments; at most {limits.MaxAssignmentsPerRequest} are allowed.");
            }

            if (http.GetApiKey().Account is { } scoped && FirstOtherAccount(root, scoped) is { } other)
            {
                return Problem(StatusCodes.Status403Forbidden, "Forbidden",
                    $"This key may only write assignments of account '{scoped}'; item {other} is for another account.");
            }

            var assignments = new List<Assignment>(count);
            var errors = new List<AssignmentError>();
            var seen = new Dictionary<(string, string, DateTimeOffset), int>();
            var index = 0;
            foreach (var element in root.EnumerateArray())
            {
                if (AssignmentReader.Read(element, out var reason) is not { } assignment)
                {
                    errors.Add(new AssignmentError(index, reason!));
                }
                else if (!seen.TryAdd((assignment.Account, assignment.Subject, assignment.ValidFrom), index))
                {
                    // Both would get the same version, so which one the table keeps would be arbitrary.
                    errors.Add(new AssignmentError(index,
                        $"validFrom: item {seen[(assignment.Account, assignment.Subject, assignment.ValidFrom)]} has the same account, "
                        + "subject and validFrom"));
                }
                else
                {
                    assignments.Add(assignment);
                }

                index++;
            }

            if (errors.Count > 0)
            {
                return Problem(StatusCodes.Status400BadRequest, "Bad Request",
                    $"{errors.Count} of {count} assignments are invalid; nothing was written.", errors);
            }

            // Not the request's token: once sent, the insert completes or fails whole whether or not the client still waits.
            var written = await store.WriteAsync(assignments, CancellationToken.None);
            return TypedResults.Ok(new AssignmentWriteResponse(written));
        }
    }

    private static async Task<IResult> GetAssignmentsAsync(HttpContext http, AssignmentStore store, CancellationToken cancellationToken)
    {
        var query = http.Request.Query;
        if (query["account"].Count > 1 || query["subject"].Count > 1)
        {
            return Problem(StatusCodes.Status400BadRequest, "Bad Request",
                (query["account"].Count > 1 ? "account" : "subject") + ": give it at most once");
        }

        var account = query["account"].ToString();
        var subject = query["subject"].ToString();
        if (http.GetApiKey().Account is { } scoped)
        {
            if (account.Length > 0 && account != scoped)
            {
                return Problem(StatusCodes.Status403Forbidden, "Forbidden", $"This key sees only account '{scoped}'.");
            }

            account = scoped;
        }
        else if (account.Length == 0)
        {
            return Problem(StatusCodes.Status400BadRequest, "Bad Request", "account: required (e.g. ?account=acme)");
        }

        if (!AssignmentReader.TryCheckText("account", account, out var reason)
            || (subject.Length > 0 && !AssignmentReader.TryCheckText("subject", subject, out reason)))
        {
            return Problem(StatusCodes.Status400BadRequest, "Bad Request", reason!);
        }

        return TypedResults.Ok(await store.ReadAsync(account, subject.Length == 0 ? null : subject, cancellationToken));
    }

    /// <summary>The index of the first item whose <c>account</c> is a string other than <paramref name="account"/>.</summary>
    private static int? FirstOtherAccount(JsonElement array, string account)
    {
        var index = 0;
        foreach (var element in array.EnumerateArray())
        {
            if (element.ValueKind == JsonValueKind.Object
                && element.TryGetProperty("account", out var value)
                && value.ValueKind == JsonValueKind.String
                && !value.ValueEquals(account))
            {
                return index;
            }

            index++;
        }

        return null;
    }

    private static ProblemHttpResult Problem(int status, string title, string detail, IReadOnlyList<AssignmentError>? errors = null) =>
        TypedResults.Problem(detail, statusCode: status, title: title,
            extensions: errors is null ? null : new Dictionary<string, object?> { ["errors"] = errors });
}
