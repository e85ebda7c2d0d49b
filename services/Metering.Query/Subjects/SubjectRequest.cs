using Metering.Events;
using Metering.Query.Assignments;

namespace Metering.Query.Subjects;

/// <summary>The validated parameters of <c>GET /v1/accounts/{account}/subjects</c>.</summary>
internal sealed record SubjectRequest(
    string Account,
    DateTimeOffset From,
    DateTimeOffset To,
    IReadOnlySet<string> Teams,
    bool Csv,
    SubjectSort Sort,
    bool Descending)
{
    /// <summary>The longest range one report may cover.</summary>
    public const int MaxRangeDays = 400;

    /// <summary>The end of the range may not be later (ClickHouse <c>DateTime</c> ends in 2106).</summary>
    public static readonly DateTimeOffset Latest = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] Names = ["from", "to", "team", "format", "sort", "order"];

    /// <summary>
    /// Parses the query string; returns null with <paramref name="error"/> on the first problem. Without <c>format</c>,
    /// the answer is CSV when <paramref name="acceptsCsv"/> (the request's <c>Accept</c> asks for <c>text/csv</c>).
    /// </summary>
    public static SubjectRequest? Parse(string account, IQueryCollection query, bool acceptsCsv, out string? error)
    {
        error = null;
        foreach (var (name, values) in query)
        {
            if (!Names.Contains(name, StringComparer.Ordinal))
            {
                error = $"{AssignmentReader.Printable(name)}: unknown parameter; the parameters are {string.Join(", ", Names)}";
                return null;
            }

            if (name != "team" && values.Count > 1)
            {
                error = $"{name}: give it at most once";
                return null;
            }
        }

        if (!TryTime(query, "from", "2026-11-01T00:00:00Z", out var from, ref error)
            || !TryTime(query, "to", "2026-12-01T00:00:00Z", out var to, ref error))
        {
            return null;
        }

        error = (from, to) switch
        {
            _ when from >= to => "from: must be before to",
            _ when from < DateTimeOffset.UnixEpoch => "from: must not be before 1970-01-01T00:00:00Z",
            _ when to > Latest => "to: must not be after 2100-01-01T00:00:00Z",
            _ when to - from > TimeSpan.FromDays(MaxRangeDays) =>
                $"to: the range is longer than {MaxRangeDays} days; ask for at most {MaxRangeDays} days at a time",
            _ => null,
        };
        if (error is not null)
        {
            return null;
        }

        var teams = new HashSet<string>(StringComparer.Ordinal);
        foreach (var team in query["team"])
        {
            if (!AssignmentReader.TryCheckText("team", team ?? "", out error))
            {
                return null;
            }

            teams.Add(team!);
        }

        bool csv;
        switch (query["format"].ToString())
        {
            case "" when query["format"].Count == 0:
                csv = acceptsCsv;
                break;
            case "json":
                csv = false;
                break;
            case "csv":
                csv = true;
                break;
            default:
                error = "format: must be json or csv";
                return null;
        }

        SubjectSort? sort = query["sort"].Count == 0 ? SubjectSort.Subject : query["sort"].ToString() switch
        {
            "subject" => SubjectSort.Subject,
            "lastAccess" => SubjectSort.LastAccess,
            "daysUsed" => SubjectSort.DaysUsed,
            _ => null,
        };
        if (sort is null)
        {
            error = "sort: must be subject, lastAccess or daysUsed";
            return null;
        }

        bool? descending = query["order"].Count == 0 ? false : query["order"].ToString() switch
        {
            "asc" => false,
            "desc" => true,
            _ => null,
        };
        if (descending is null)
        {
            error = "order: must be asc or desc";
            return null;
        }

        return new SubjectRequest(account, from.ToUniversalTime(), to.ToUniversalTime(), teams, csv, sort.Value, descending.Value);
    }

    private static bool TryTime(IQueryCollection query, string name, string example, out DateTimeOffset time, ref string? error)
    {
        time = default;
        if (query[name].Count == 0)
        {
            error = $"{name}: required, an RFC 3339 timestamp with an offset (e.g. {example})";
            return false;
        }

        if (!CloudEventReader.TryParseRfc3339(query[name].ToString(), out time))
        {
            error = $"{name}: not an RFC 3339 timestamp with an offset (e.g. {example})";
            return false;
        }

        return true;
    }
}
