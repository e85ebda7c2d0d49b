using System.Net;

namespace Metering.ClickHouse;

/// <summary>
/// An error ClickHouse reported. <see cref="Code"/> comes from the <c>Code: N</c> in the response body, because
/// the HTTP status is not reliable (18.16 answers a syntax error with 400, an unknown table with 404, a
/// timeout with 500, DESIGN.md §3).
/// </summary>
public sealed class ClickHouseException : Exception
{
    public ClickHouseException()
    {
        ServerMessage = "";
    }

    public ClickHouseException(string message)
        : base(message)
    {
        ServerMessage = message;
    }

    public ClickHouseException(string message, Exception innerException)
        : base(message, innerException)
    {
        ServerMessage = message;
    }

    public ClickHouseException(int code, string serverMessage, HttpStatusCode? statusCode = null, string? queryId = null)
        : base(FormatMessage(code, serverMessage, statusCode))
    {
        Code = code;
        ServerMessage = serverMessage;
        StatusCode = statusCode;
        QueryId = queryId;
    }

    /// <summary>The ClickHouse error code (<c>62</c> syntax error, <c>60</c> unknown table, …); 0 when the body had none.</summary>
    public int Code { get; }

    /// <summary>The server's message without the <c>Code: N, e.displayText() =</c> framing and the stack trace.</summary>
    public string ServerMessage { get; }

    /// <summary>The HTTP status of the response, when there was one.</summary>
    public HttpStatusCode? StatusCode { get; }

    public string? QueryId { get; }

    /// <summary>Whether retrying the same request may succeed (see <see cref="ClickHouseErrorCodes.IsTransient"/>).</summary>
    public bool IsTransient => ClickHouseErrorCodes.IsTransient(Code, StatusCode);

    private static string FormatMessage(int code, string serverMessage, HttpStatusCode? statusCode) =>
        statusCode is { } status
            ? $"ClickHouse error {code} (HTTP {(int)status}): {serverMessage}"
            : $"ClickHouse error {code}: {serverMessage}";
}
