using Metering.Query.Assignments;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Metering.Query.Accounts;

/// <summary>The checks of the <c>{account}</c> of a <c>/v1/accounts/{account}/…</c> path.</summary>
internal static class AccountAccess
{
    /// <summary>
    /// 403 when the request's key is scoped to another account (DESIGN.md §8), 400 when <paramref name="account"/> is
    /// not a valid account (1–256 characters, printable, as for events and assignments); null when it may go on.
    /// </summary>
    public static ProblemHttpResult? Check(HttpContext http, string account)
    {
        if (http.GetApiKey().Account is { } scoped && !string.Equals(account, scoped, StringComparison.Ordinal))
        {
            return TypedResults.Problem($"This key sees only account '{scoped}'.", statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");
        }

        return AssignmentReader.TryCheckText("account", account, out var reason)
            ? null
            : TypedResults.Problem(reason, statusCode: StatusCodes.Status400BadRequest, title: "Bad Request");
    }
}
