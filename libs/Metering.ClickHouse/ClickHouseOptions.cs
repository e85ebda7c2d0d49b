namespace Metering.ClickHouse;

/// <summary>How to reach ClickHouse over its HTTP interface (configuration section <c>ClickHouse</c>).</summary>
public sealed class ClickHouseOptions
{
    public const string SectionName = "ClickHouse";

    /// <summary>The HTTP interface, e.g. <c>http://clickhouse:8123</c>.</summary>
    /// <value>The default value is <c>http://127.0.0.1:8123</c>, the local server of <c>make run</c>.</value>
    public string Url { get; set; } = "http://127.0.0.1:8123";

    /// <summary>The database every query runs in unless a query says otherwise.</summary>
    /// <value>The default value is <c>metering</c>.</value>
    public string Database { get; set; } = "metering";

    /// <value>The default value is <c>default</c>.</value>
    public string User { get; set; } = "default";

    /// <value>The default value is empty (no password).</value>
    public string Password { get; set; } = "";

    /// <summary>How long one attempt of a query may take, reading the whole response included.</summary>
    /// <value>The default value is 30 seconds.</value>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a transient failure (connection refused, timeout, too many parts, …) is retried.</summary>
    /// <value>The default value is 4; 0 turns retries off.</value>
    public int MaxRetryAttempts { get; set; } = 4;

    /// <summary>The first retry delay; later delays grow exponentially (with jitter) up to <see cref="RetryMaxDelay"/>.</summary>
    /// <value>The default value is 200 milliseconds.</value>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <value>The default value is 5 seconds.</value>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Whether the host applies the embedded migrations (<c>schemas/clickhouse</c>) when it starts.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool ApplyMigrations { get; set; } = true;

    /// <summary>How long the host waits at start for ClickHouse to answer before it gives up.</summary>
    /// <value>The default value is 60 seconds.</value>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
