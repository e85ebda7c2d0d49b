using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Metering.Chaos.Oracle;

namespace Metering.Chaos.Generation;

/// <summary>
/// Sends the run's events through the gateway: every account in its own loop with one request in flight, all paced
/// together. A request that fails (503, connection refused, timeout) is sent again as it was; the pipeline dedupes.
/// </summary>
internal sealed class EventGenerator(ChaosOptions options, TeamDirectory directory, Uri gateway, string apiKey, TimeProvider clock)
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);
    private long _sent;
    private long _requests;
    private long _retries;

    public long Sent => Interlocked.Read(ref _sent);

    public long Requests => Interlocked.Read(ref _requests);

    public long Retries => Interlocked.Read(ref _retries);

    public double Progress => (double)Sent / options.Events;

    public async Task<GeneratorResult> RunAsync(CancellationToken cancellationToken)
    {
        var pacer = new Pacer(options.Events, options.EventsPerSecond, clock);
        var streams = Enumerable.Range(0, options.Accounts).Select(a => new AccountStream(a, options, directory)).ToList();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Accounts })
        {
            BaseAddress = gateway,
            Timeout = TimeSpan.FromSeconds(30),
        };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        await Task.WhenAll(streams.Select(s => RunAccountAsync(s, pacer, http, cancellationToken)));

        var expected = new ExpectedUsage();
        foreach (var stream in streams)
        {
            expected.Merge(stream.Expected);
        }

        return new GeneratorResult(expected, Sent, streams.Sum(s => s.Duplicates), streams.Sum(s => s.OutOfOrder), streams.Sum(s => s.Late),
            Requests, Retries);
    }

    private async Task RunAccountAsync(AccountStream stream, Pacer pacer, HttpClient http, CancellationToken cancellationToken)
    {
        // Yield at once so that building the first batches does not run on the caller's thread one account after another.
        await Task.Yield();
        int count;
        while ((count = await pacer.TakeAsync(stream.NextBatchSize(), cancellationToken)) > 0)
        {
            var batch = stream.Build(count, clock.GetUtcNow().ToUnixTimeMilliseconds());
            await SendAsync(http, stream.Account, batch, cancellationToken);
            stream.Acknowledge(batch);
            Interlocked.Add(ref _sent, batch.Events);
        }
    }

    private async Task SendAsync(HttpClient http, string account, AccountStream.Batch batch, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            Interlocked.Increment(ref _requests);
            var wait = RetryDelay;
            try
            {
                using var content = new ByteArrayContent(batch.Body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/cloudevents-batch+json");
                using var response = await http.PostAsync(new Uri("/v1/events", UriKind.Relative), content, cancellationToken);
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.StatusCode == HttpStatusCode.Accepted)
                {
                    using var answer = JsonDocument.Parse(text);
                    var accepted = answer.RootElement.GetProperty("accepted").GetInt32();
                    if (accepted != batch.Events || answer.RootElement.GetProperty("rejected").GetArrayLength() > 0)
                    {
                        throw new InvalidOperationException($"The gateway accepted {accepted} of {batch.Events} events of {account}: {text}");
                    }

                    return;
                }

                if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
                {
                    throw new InvalidOperationException($"The gateway answered {(int)response.StatusCode} for {account}: {text}");
                }

                if (response.Headers.RetryAfter?.Delta is { } retryAfter)
                {
                    wait = retryAfter;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // Connection trouble or a timeout: the request may or may not have been taken; sending it again is safe.
            }

            if (attempt >= 100)
            {
                throw new InvalidOperationException(
                    string.Create(CultureInfo.InvariantCulture, $"The gateway did not take a request of {account} in {attempt} attempts."));
            }

            Interlocked.Increment(ref _retries);
            await Task.Delay(wait, clock, cancellationToken);
        }
    }
}
