using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Metering.ClickHouse;

/// <summary>The ClickHouse error codes the client treats specially, and how a response body is read into one.</summary>
public static partial class ClickHouseErrorCodes
{
    public const int SyntaxError = 62;

    /// <summary>
    /// 18.16's code for an <c>ALTER TABLE … ADD COLUMN</c> of a column that exists ("Cannot add column x: column with
    /// this name already exists"); it also covers other column errors, so read the message too.
    /// </summary>
    public const int IllegalColumn = 44;

    /// <summary>Current releases' code for an <c>ALTER TABLE … ADD COLUMN</c> of a column that exists.</summary>
    public const int DuplicateColumn = 15;
    public const int UnknownTable = 60;
    public const int UnknownDatabase = 81;
    public const int TimeoutExceeded = 159;
    public const int TooManySimultaneousQueries = 202;
    public const int NoFreeConnection = 203;
    public const int SocketTimeout = 209;
    public const int NetworkError = 210;
    public const int MemoryLimitExceeded = 241;
    public const int TableIsReadOnly = 242;
    public const int TooManyParts = 252;
    public const int UnknownStatusOfInsert = 319;
    public const int AllConnectionTriesFailed = 279;
    public const int AllReplicasAreStale = 369;
    public const int NoZooKeeper = 225;
    public const int KeeperException = 999;

    /// <summary>
    /// Whether a failure with this code may succeed when retried unchanged: overload, timeouts, network and
    /// ZooKeeper trouble, too many parts (merges catch up). A body without a code (a proxy's 502/503/504) is
    /// transient when the status is 5xx. Syntax errors, unknown tables and the like are not.
    /// </summary>
    public static bool IsTransient(int code, HttpStatusCode? statusCode) => code switch
    {
        TimeoutExceeded or TooManySimultaneousQueries or NoFreeConnection or SocketTimeout or NetworkError
            or MemoryLimitExceeded or TableIsReadOnly or TooManyParts or UnknownStatusOfInsert
            or AllConnectionTriesFailed or AllReplicasAreStale or NoZooKeeper or KeeperException => true,
        0 => statusCode is { } status && (int)status >= 500,
        _ => false,
    };

    /// <summary>Reads <c>Code: N, e.displayText() = DB::Exception: message, e.what() = …</c> from an error body.</summary>
    public static bool TryParse(string body, out int code, out string message)
    {
        ArgumentNullException.ThrowIfNull(body);
        var match = ErrorPattern().Match(body);
        if (!match.Success)
        {
            code = 0;
            message = FirstLines(body.Trim());
            return false;
        }

        code = int.Parse(match.Groups["code"].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture);
        var text = body[(match.Index + match.Length)..];
        // 18.16: "Code: 62, e.displayText() = DB::Exception: Syntax error: …, e.what() = DB::Exception"
        // current: "Code: 62. DB::Exception: Syntax error: …. (SYNTAX_ERROR) (version 23.8.1.1)"
        var displayText = DisplayTextPrefix().Match(text);
        if (displayText.Success)
        {
            text = text[displayText.Length..];
        }

        var what = text.IndexOf(", e.what() = ", StringComparison.Ordinal);
        if (what >= 0)
        {
            text = text[..what];
        }

        var stack = text.IndexOf("Stack trace:", StringComparison.Ordinal);
        if (stack >= 0)
        {
            text = text[..stack];
        }

        message = FirstLines(text.Trim());
        return true;
    }

    private static string FirstLines(string text) => text.Length <= 4000 ? text : text[..4000] + "…";

    [GeneratedRegex(@"Code: (?<code>\d{1,9})[,.]\s*")]
    private static partial Regex ErrorPattern();

    [GeneratedRegex(@"^(e\.displayText\(\) = )?(DB::Exception: )?")]
    private static partial Regex DisplayTextPrefix();
}
