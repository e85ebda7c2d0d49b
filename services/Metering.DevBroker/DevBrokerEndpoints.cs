using Confluent.Kafka;
using Metering.Kafka.DevBroker;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Metering.DevBroker;

/// <summary>The loopback control API: topics and fault injection.</summary>
internal static class DevBrokerEndpoints
{
    private const int MaxPartitions = 10_000;
    private const int MaxPushedErrors = 10_000;

    public static IEndpointRouteBuilder MapDevBrokerEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/ready", new() { Predicate = check => check.Tags.Contains("ready") });
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false });

        var v1 = app.MapGroup("/v1");
        v1.MapPost("/topics", CreateTopic)
            .WithName("CreateTopic")
            .WithSummary("Creates a topic (idempotent for the same partition count).");
        v1.MapPost("/brokers/{id:int}/down", SetBrokerDown)
            .WithName("SetBrokerDown")
            .WithSummary("Disconnects a broker and refuses connections.");
        v1.MapPost("/brokers/{id:int}/up", SetBrokerUp)
            .WithName("SetBrokerUp")
            .WithSummary("Lets a broker accept connections again.");
        v1.MapPost("/brokers/{id:int}/rtt", SetRtt)
            .WithName("SetBrokerRtt")
            .WithSummary("Delays a broker's responses.");
        v1.MapPost("/errors", PushErrors)
            .WithName("PushRequestErrors")
            .WithSummary("Makes the next requests with an API key fail.");
        v1.MapDelete("/errors/{apiKey:int}", ClearErrors)
            .WithName("ClearRequestErrors")
            .WithSummary("Removes pushed errors left for an API key.");
        return app;
    }

    private static Results<Created<TopicResponse>, ProblemHttpResult> CreateTopic(
        CreateTopicRequest request, DevBrokerHost host, ILogger<DevBrokerHost> logger)
    {
        if (string.IsNullOrEmpty(request.Name))
        {
            return BadRequest(logger, "'name' is required.");
        }

        if (request.Partitions is < 1 or > MaxPartitions)
        {
            return BadRequest(logger, $"'partitions' must be 1 to {MaxPartitions}, not {request.Partitions}.");
        }

        return Run(host, logger, cluster =>
        {
            cluster.CreateTopic(request.Name, request.Partitions);
            return TypedResults.Created($"/v1/topics/{request.Name}", new TopicResponse(request.Name, request.Partitions));
        });
    }

    private static Results<NoContent, ProblemHttpResult> SetBrokerDown(int id, DevBrokerHost host, ILogger<DevBrokerHost> logger) =>
        RunOnBroker(id, host, logger, cluster => cluster.SetBrokerDown(id));

    private static Results<NoContent, ProblemHttpResult> SetBrokerUp(int id, DevBrokerHost host, ILogger<DevBrokerHost> logger) =>
        RunOnBroker(id, host, logger, cluster => cluster.SetBrokerUp(id));

    private static Results<NoContent, ProblemHttpResult> SetRtt(
        int id, SetRttRequest request, DevBrokerHost host, ILogger<DevBrokerHost> logger) =>
        request.RttMs < 0
            ? BadRequest(logger, $"'rttMs' must be 0 or more, not {request.RttMs}.")
            : RunOnBroker(id, host, logger, cluster => cluster.SetRtt(id, TimeSpan.FromMilliseconds(request.RttMs)));

    private static Results<NoContent, ProblemHttpResult> PushErrors(
        PushRequestErrorsRequest request, DevBrokerHost host, ILogger<DevBrokerHost> logger)
    {
        if (request.ApiKey is < 0 or > short.MaxValue)
        {
            return BadRequest(logger, $"'apiKey' must be 0 to {short.MaxValue}, not {request.ApiKey}.");
        }

        if (request.Errors is not { Count: > 0 and <= MaxPushedErrors } errors)
        {
            return BadRequest(logger, $"'errors' must list 1 to {MaxPushedErrors} Kafka error codes.");
        }

        var unknown = errors.Where(e => !Enum.IsDefined((ErrorCode)e)).ToArray();
        if (unknown.Length > 0)
        {
            return BadRequest(logger, $"Not Kafka error codes: {string.Join(", ", unknown)}.");
        }

        return Run(host, logger, cluster =>
        {
            cluster.PushRequestErrors((short)request.ApiKey, [.. errors.Select(e => (ErrorCode)e)]);
            return TypedResults.NoContent();
        });
    }

    private static Results<NoContent, ProblemHttpResult> ClearErrors(int apiKey, DevBrokerHost host, ILogger<DevBrokerHost> logger) =>
        apiKey is < 0 or > short.MaxValue
            ? BadRequest(logger, $"'apiKey' must be 0 to {short.MaxValue}, not {apiKey}.")
            : Run(host, logger, cluster =>
            {
                cluster.ClearRequestErrors((short)apiKey);
                return TypedResults.NoContent();
            });

    private static Results<NoContent, ProblemHttpResult> RunOnBroker(
        int id, DevBrokerHost host, ILogger logger, Action<MockKafkaCluster> operation)
    {
        var brokerCount = host.Cluster?.BrokerCount ?? 0;
        if (brokerCount > 0 && (id < 1 || id > brokerCount))
        {
            return BadRequest(logger, $"There is no broker {id}: broker ids are 1 to {brokerCount}.");
        }

        return Run(host, logger, cluster =>
        {
            operation(cluster);
            return TypedResults.NoContent();
        });
    }

    /// <summary>Runs a cluster operation, turning refusals into problem details: invalid input 400, a conflict 409.</summary>
    private static Results<T, ProblemHttpResult> Run<T>(DevBrokerHost host, ILogger logger, Func<MockKafkaCluster, T> operation)
        where T : IResult
    {
        if (host.Cluster is not { } cluster)
        {
            return TypedResults.Problem("The development broker is not running.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        try
        {
            return operation(cluster);
        }
        catch (ArgumentException ex)
        {
            return BadRequest(logger, ex.Message);
        }
        catch (InvalidOperationException ex)
        {
            Log.RequestRefused(logger, ex.Message);
            return TypedResults.Problem(ex.Message, statusCode: StatusCodes.Status409Conflict);
        }
    }

    private static ProblemHttpResult BadRequest(ILogger logger, string reason)
    {
        Log.RequestRefused(logger, reason);
        return TypedResults.Problem(reason, statusCode: StatusCodes.Status400BadRequest, title: "Bad request");
    }
}
