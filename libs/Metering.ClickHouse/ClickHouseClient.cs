using System.Diagnostics.Metrics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Metering.ClickHouse.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Metering.ClickHouse;

/// <summary>
/// A small client over ClickHouse's HTTP interface (no ClickHouse driver is served here, DESIGN.md §3).
/// Values go into SQL only through <see cref="ClickHouseSql"/>.
/// </summary>
/// <remarks>
/// Transient failures (connection refused, timeouts, overload codes such as 202 or 252, see
/// <see cref="ClickHouseErrorCodes.IsTransient"/>) are retried with exponential backoff and jitter
/// (<see cref="ClickHouseOptions.MaxRetryAttempts"/>); other errors throw <see cref="ClickHouseException"/> at once.
/// Inserts are retried too: an insert whose response was lost may have been written, and a retry writes
/// the rows again. That is safe only because every Metering table is a ReplacingMergeTree keyed so that
/// the same rows replace each other (DESIGN.md §5.6). Do not insert through this client into a table
/// without that property, or set <see cref="ClickHouseOptions.MaxRetryAttempts"/> to 0 for it.
/// </remarks>
public sealed class ClickHouseClient
{
    private const string JsonEachRowFormat = "\nFORMAT JSONEachRow";

    private static readonly ResiliencePropertyKey<string> OperationKey = new("Metering.ClickHouse.Operation");

    private static readonly string[] KnownOperations =
    [
        "SELECT", "INSERT", "CREATE", "DROP", "ALTER", "OPTIMIZE", "TRUNCATE", "RENAME", "SYSTEM", "KILL",
        "SET", "DETACH", "ATTACH", "SHOW", "DESCRIBE", "DESC", "EXISTS", "CHECK", "WITH", "USE",
    ];

    private readonly HttpClient _httpClient;
    private readonly ClickHouseOptions _options;
    private readonly Uri _endpoint;
    private readonly AuthenticationHeaderValue _authorization;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly ResiliencePipeline _pipeline;
    private readonly ClickHouseMetrics _metrics;
    private readonly string _maxExecutionTimeSeconds;

    /// <summary>Creates a client that sends its requests through <paramref name="httpClient"/>.</summary>
    /// <param name="httpClient">Its <see cref="HttpClient.Timeout"/> should be infinite: <see cref="ClickHouseOptions.RequestTimeout"/> applies per attempt.</param>
    /// <param name="options">Validated with <see cref="ClickHouseOptionsValidator"/>.</param>
    /// <param name="logger">Logs retries; none when <see langword="null"/>.</param>
    /// <param name="timeProvider">Clock for backoff and timeouts; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="meterFactory">Creates the <c>Metering.ClickHouse</c> meter; a shared meter when <see langword="null"/>.</param>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    public ClickHouseClient(
        HttpClient httpClient,
        ClickHouseOptions options,
        ILogger<ClickHouseClient>? logger = null,
        TimeProvider? timeProvider = null,
        IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        var validation = new ClickHouseOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(ClickHouseOptions), validation.Failures);
        }

        _httpClient = httpClient;
        _options = Copy(options, options.Database);
        var url = options.Url.EndsWith('/') ? options.Url : options.Url + "/";
        _endpoint = new Uri(url, UriKind.Absolute);
        _authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(options.User + ":" + options.Password)));
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _metrics = ClickHouseMetrics.Create(meterFactory);
        _pipeline = CreatePipeline(_options, _logger, _timeProvider);
        _maxExecutionTimeSeconds = MaxExecutionTime(_options.RequestTimeout);
    }

    private ClickHouseClient(ClickHouseClient other, string database)
    {
        _httpClient = other._httpClient;
        _options = Copy(other._options, database);
        _endpoint = other._endpoint;
        _authorization = other._authorization;
        _logger = other._logger;
        _timeProvider = other._timeProvider;
        _metrics = other._metrics;
        _pipeline = other._pipeline;
        _maxExecutionTimeSeconds = other._maxExecutionTimeSeconds;
    }

    /// <summary>The database statements run in unless <see cref="ClickHouseQueryOptions.Database"/> says otherwise.</summary>
    public string Database => _options.Database;

    /// <summary>The HTTP interface this client talks to (without credentials).</summary>
    public Uri Endpoint => _endpoint;

    /// <summary>A client for another database that shares this one's connections, retries and metrics.</summary>
    public ClickHouseClient WithDatabase(string database) => new(this, ClickHouseSql.Identifier(database));

    /// <summary>Runs a statement that returns no rows (DDL, <c>OPTIMIZE</c>, <c>INSERT … SELECT</c>, …).</summary>
    /// <exception cref="ClickHouseException">ClickHouse reported an error (after retries, when transient).</exception>
    public async Task ExecuteAsync(string sql, ClickHouseQueryOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        await SendAsync(
            OperationName(sql),
            () => CreateRequest(options, query: null, new StringContent(sql, Encoding.UTF8, "text/plain"), []),
            ReadCommandResponseAsync,
            options?.QueryId,
            cancellationToken);
    }

    /// <summary>
    /// Runs a <c>SELECT</c> and reads its rows as JSONEachRow into <typeparamref name="T"/>. The statement must not
    /// have a <c>FORMAT</c> clause. 64-bit integers come back as JSON numbers
    /// (<c>output_format_json_quote_64bit_integers=0</c>); read <c>DateTime</c> columns with
    /// <see cref="ClickHouseDateTimeConverter"/>.
    /// </summary>
    /// <exception cref="ClickHouseException">ClickHouse reported an error or the response was not JSONEachRow.</exception>
    public async Task<IReadOnlyList<T>> QueryAsync<T>(
        string sql, JsonTypeInfo<T> rowType, ClickHouseQueryOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        ArgumentNullException.ThrowIfNull(rowType);
        return await SendAsync(
            "SELECT",
            () => CreateRequest(
                options,
                query: null,
                new StringContent(sql + JsonEachRowFormat, Encoding.UTF8, "text/plain"),
                [
                    new("output_format_json_quote_64bit_integers", "0"),
                    // Buffer the result on the server so an error still gets an error status, not a cut-off 200.
                    new("wait_end_of_query", "1"),
                ]),
            async (response, queryId, token) => await ReadRowsAsync(response, rowType, queryId, token),
            options?.QueryId,
            cancellationToken);
    }

    /// <summary>
    /// Runs a <c>SELECT</c> and reads its rows as RowBinary with <paramref name="readRow"/>, which reads one row's
    /// columns in the order of the <c>SELECT</c>. The statement must not have a <c>FORMAT</c> clause. Much cheaper
    /// than <see cref="QueryAsync{T}(string, JsonTypeInfo{T}, ClickHouseQueryOptions?, CancellationToken)"/> on both
    /// sides for large results; the whole result is held in memory while it is read.
    /// </summary>
    /// <exception cref="ClickHouseException">ClickHouse reported an error or the response does not fit the row reader.</exception>
    public async Task<IReadOnlyList<T>> QueryRowBinaryAsync<T>(
        string sql, RowBinaryRowReader<T> readRow, ClickHouseQueryOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        ArgumentNullException.ThrowIfNull(readRow);
        var body = await SendAsync(
            "SELECT",
            () => CreateRequest(
                options,
                query: null,
                new StringContent(sql + "\nFORMAT RowBinary", Encoding.UTF8, "text/plain"),
                [new("wait_end_of_query", "1")]),
            async (response, _, token) => await response.Content.ReadAsByteArrayAsync(token),
            options?.QueryId,
            cancellationToken);
        var rows = new List<T>();
        var reader = new RowBinaryReader(body);
        try
        {
            while (!reader.End)
            {
                rows.Add(readRow(ref reader));
            }
        }
        catch (FormatException e)
        {
            throw new ClickHouseException(
                $"The response of query {options?.QueryId ?? "(no id)"} does not fit the RowBinary rows of {typeof(T).Name} "
                + $"after {rows.Count} rows: {e.Message}",
                e);
        }

        return rows;
    }

    /// <summary>
    /// Runs a <c>SELECT</c> and returns the first column of the first row, or <see langword="default"/> when there
    /// are no rows.
    /// </summary>
    public async Task<T?> QueryScalarAsync<T>(
        string sql, JsonTypeInfo<T> valueType, ClickHouseQueryOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(valueType);
        var rows = await QueryAsync(sql, ClickHouseJsonContext.Default.JsonElement, options, cancellationToken);
        if (rows.Count == 0)
        {
            return default;
        }

        using var columns = rows[0].EnumerateObject();
        return columns.MoveNext()
            ? columns.Current.Value.Deserialize(valueType)
            : throw new ClickHouseException(0, "The query returned a row without columns.", null, options?.QueryId);
    }

    /// <summary>
    /// Streams <paramref name="rows"/> as JSONEachRow into <c>INSERT INTO <paramref name="table"/> FORMAT JSONEachRow</c>,
    /// with <c>date_time_input_format=best_effort</c> (ISO 8601 timestamps). A retry enumerates
    /// <paramref name="rows"/> again, so pass a collection, not a one-shot iterator, and see the remarks on
    /// <see cref="ClickHouseClient"/> about retried inserts. For an atomic insert keep a batch at most
    /// 1,048,576 rows and in one partition (DESIGN.md §3).
    /// </summary>
    /// <returns>The number of rows sent.</returns>
    public async Task<long> InsertAsync<T>(
        string table,
        IEnumerable<T> rows,
        JsonTypeInfo<T> rowType,
        ClickHouseQueryOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(rowType);
        var query = "INSERT INTO " + ClickHouseSql.Identifier(table) + " FORMAT JSONEachRow";
        JsonEachRowContent<T>? content = null;
        await SendAsync(
            "INSERT",
            () =>
            {
                content = JsonEachRowContent<T>.Create(rows, rowType);
                return CreateRequest(options, query, content, [new("date_time_input_format", "best_effort")]);
            },
            ReadCommandResponseAsync,
            options?.QueryId,
            cancellationToken);
        return content?.RowsWritten ?? 0;
    }

    /// <summary>
    /// Sends <paramref name="rows"/> as <c>INSERT INTO table (columns) FORMAT RowBinary</c>. A retry sends the same
    /// bytes again; see the remarks on <see cref="ClickHouseClient"/> about retried inserts. For an atomic insert keep
    /// a batch at most 1,048,576 rows and in one partition (DESIGN.md §3).
    /// </summary>
    public async Task InsertAsync(RowBinaryRows rows, ClickHouseQueryOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var columns = string.Join(", ", rows.Columns.Select(ClickHouseSql.Identifier));
        var query = $"INSERT INTO {ClickHouseSql.Identifier(rows.Table)} ({columns}) FORMAT RowBinary";
        await SendAsync(
            "INSERT",
            () =>
            {
                var content = new ReadOnlyMemoryContent(rows.Data);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
                return CreateRequest(options, query, content, []);
            },
            ReadCommandResponseAsync,
            options?.QueryId,
            cancellationToken);
    }

    /// <summary>Whether the server answers <c>GET /ping</c> (no retries).</summary>
    public async Task<bool> PingAsync(CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        try
        {
            using var response = await _httpClient.GetAsync(new Uri(_endpoint, "ping"), timeout.Token);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return false;
        }
    }

    private async Task<TResult> SendAsync<TResult>(
        string operation,
        Func<HttpRequestMessage> createRequest,
        Func<HttpResponseMessage, string?, CancellationToken, Task<TResult>> readResponse,
        string? queryId,
        CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(OperationKey, operation);
        try
        {
            return await _pipeline.ExecuteAsync(
                async ctx =>
                {
                    var started = _timeProvider.GetTimestamp();
                    Exception? error = null;
                    try
                    {
                        using var request = createRequest();
                        using var response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ctx.CancellationToken);
                        if (!response.IsSuccessStatusCode)
                        {
                            var body = await response.Content.ReadAsStringAsync(ctx.CancellationToken);
                            _ = ClickHouseErrorCodes.TryParse(body, out var code, out var message);
                            Log.OperationFailed(_logger, operation, code, (int)response.StatusCode, queryId);
                            throw new ClickHouseException(code, message, response.StatusCode, queryId);
                        }

                        return await readResponse(response, queryId, ctx.CancellationToken);
                    }
                    catch (Exception e)
                    {
                        error = e;
                        throw;
                    }
                    finally
                    {
                        _metrics.RecordDuration(operation, _timeProvider.GetElapsedTime(started), error);
                    }
                },
                context);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private HttpRequestMessage CreateRequest(
        ClickHouseQueryOptions? options, string? query, HttpContent content, KeyValuePair<string, string>[] defaults)
    {
        var parameters = new StringBuilder();
        var database = options?.Database ?? _options.Database;
        if (database.Length > 0)
        {
            Append(parameters, "database", ClickHouseSql.Identifier(database));
        }

        if (options?.QueryId is { Length: > 0 } queryId)
        {
            Append(parameters, "query_id", queryId);
        }

        if (query is not null)
        {
            Append(parameters, "query", query);
        }

        if (options?.Settings?.ContainsKey("max_execution_time") != true)
        {
            // Let the server give up when the client does, instead of running on after the request timed out.
            Append(parameters, "max_execution_time", _maxExecutionTimeSeconds);
        }

        foreach (var (name, value) in defaults)
        {
            if (options?.Settings?.ContainsKey(name) != true)
            {
                Append(parameters, name, value);
            }
        }

        if (options?.Settings is { } settings)
        {
            foreach (var (name, value) in settings)
            {
                Append(parameters, ClickHouseSql.Identifier(name), value);
            }
        }

        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_endpoint, "?" + parameters))
        {
            Content = content,
            Version = System.Net.HttpVersion.Version11,
        };
        request.Headers.Authorization = _authorization;
        return request;
    }

    private static void Append(StringBuilder parameters, string name, string value)
    {
        if (parameters.Length > 0)
        {
            parameters.Append('&');
        }

        parameters.Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
    }

    // 18.16 may answer 200 and put the error into the body when a statement fails after it started.
    private static async Task<bool> ReadCommandResponseAsync(HttpResponseMessage response, string? queryId, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if ((body.StartsWith("Code: ", StringComparison.Ordinal) || body.Contains("\nCode: ", StringComparison.Ordinal))
            && ClickHouseErrorCodes.TryParse(body, out var code, out var message))
        {
            throw new ClickHouseException(code, message, response.StatusCode, queryId);
        }

        return true;
    }

    private static async Task<IReadOnlyList<T>> ReadRowsAsync<T>(
        HttpResponseMessage response, JsonTypeInfo<T> rowType, string? queryId, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var rows = new List<T>();
        try
        {
            await foreach (var row in JsonSerializer.DeserializeAsyncEnumerable(stream, rowType, topLevelValues: true, cancellationToken))
            {
                rows.Add(row!);
            }
        }
        catch (JsonException e)
        {
            throw new ClickHouseException(
                $"The response of query {queryId ?? "(no id)"} is not JSONEachRow for {typeof(T).Name} after {rows.Count} rows "
                + $"(the query may have failed mid-stream): {e.Message}",
                e);
        }

        return rows;
    }

    private static ResiliencePipeline CreatePipeline(ClickHouseOptions options, ILogger logger, TimeProvider timeProvider)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = timeProvider };
        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                MaxDelay = options.RetryMaxDelay,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } e && IsTransient(e, args.Context.CancellationToken)),
                OnRetry = args =>
                {
                    var operation = args.Context.Properties.GetValue(OperationKey, "query");
                    Log.Retrying(logger, operation, args.AttemptNumber + 1, args.RetryDelay, args.Outcome.Exception);
                    return default;
                },
            });
        }

        builder.AddTimeout(options.RequestTimeout);
        return builder.Build();
    }

    /// <summary>Whether <paramref name="exception"/> (thrown by this client) may go away when the call is repeated.</summary>
    public static bool IsTransient(Exception exception, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (cancellationToken.IsCancellationRequested)
        {
            return false;
        }

        return exception switch
        {
            ClickHouseException clickHouse => clickHouse.IsTransient,
            HttpRequestException => true,
            TimeoutRejectedException => true,
            TaskCanceledException { InnerException: TimeoutException } => true,
            IOException => true,
            _ => false,
        };
    }

    private static string OperationName(string sql)
    {
        var span = sql.AsSpan();
        while (true)
        {
            span = span.TrimStart();
            if (span.StartsWith("--"))
            {
                var end = span.IndexOf('\n');
                span = end < 0 ? [] : span[(end + 1)..];
                continue;
            }

            break;
        }

        var length = 0;
        while (length < span.Length && char.IsAsciiLetter(span[length]))
        {
            length++;
        }

        var keyword = span[..length];
        foreach (var known in KnownOperations)
        {
            if (keyword.Equals(known, StringComparison.OrdinalIgnoreCase))
            {
                return known;
            }
        }

        return "EXECUTE";
    }

    private static string MaxExecutionTime(TimeSpan requestTimeout) =>
        ((long)Math.Ceiling(requestTimeout.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static ClickHouseOptions Copy(ClickHouseOptions options, string database) => new()
    {
        Url = options.Url,
        Database = database,
        User = options.User,
        Password = options.Password,
        RequestTimeout = options.RequestTimeout,
        MaxRetryAttempts = options.MaxRetryAttempts,
        RetryDelay = options.RetryDelay,
        RetryMaxDelay = options.RetryMaxDelay,
        ApplyMigrations = options.ApplyMigrations,
        StartupTimeout = options.StartupTimeout,
    };
}
