using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Metering.Kafka.DevBroker;

/// <summary>
/// An IN-MEMORY DEVELOPMENT Kafka broker: librdkafka's mock cluster, which speaks the Kafka protocol on real loopback
/// TCP ports, so clients in this and other processes connect to it like to any broker. Not for production: it keeps
/// everything in memory and loses it when disposed.
/// </summary>
/// <remarks>
/// <para>
/// The mock does not wake a waiting fetch when new data arrives, so a consumer's latency is about its
/// <c>fetch.wait.max.ms</c>: consumers of this broker should set <see cref="ConsumerConfig.FetchWaitMaxMs"/> small
/// (e.g. 10 ms).
/// </para>
/// <para>
/// It does not implement CreateTopics: create topics with <see cref="CreateTopic"/> or
/// <see cref="MockKafkaClusterOptions.Topics"/> (a producer's metadata request also creates an unknown topic, with 4
/// partitions). <c>read_committed</c> does not filter aborted transactions, so nothing may rely on Kafka transactions.
/// </para>
/// <para>
/// With <see cref="MockKafkaClusterOptions.Port"/> above 0 broker <c>i</c> is served on the fixed loopback port
/// <c>Port + i - 1</c> through a TCP relay, and metadata advertises those ports. With
/// <see cref="MockKafkaClusterOptions.DeferFixedPorts"/> the fixed ports refuse connections until
/// <see cref="OpenFixedPorts"/>; until then in-process clients reach the brokers at <see cref="DirectBootstrapServers"/>.
/// </para>
/// </remarks>
public sealed partial class MockKafkaCluster : IAsyncDisposable
{
    private const int TopicAlreadyExists = (int)ErrorCode.TopicAlreadyExists;
    private const int MaxReplicationFactor = 3;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _topics = new(StringComparer.Ordinal);
    private readonly ILogger _logger;
    private readonly TcpRelay[] _relays;
    private readonly string _advertisedHost;
    private nint _handle;
    private nint _cluster;
    private bool _fixedPortsOpen;

    private MockKafkaCluster(
        nint handle, nint cluster, int brokerCount, string bootstrapServers, string directBootstrapServers, TcpRelay[] relays,
        string advertisedHost, ILogger logger)
    {
        _handle = handle;
        _cluster = cluster;
        BrokerCount = brokerCount;
        BootstrapServers = bootstrapServers;
        DirectBootstrapServers = directBootstrapServers;
        _relays = relays;
        _advertisedHost = advertisedHost;
        _fixedPortsOpen = relays.Length == 0;
        _logger = logger;
    }

    /// <summary>The comma-separated <c>host:port</c> list of all brokers, in broker-id order.</summary>
    public string BootstrapServers { get; }

    /// <summary>
    /// The mock's own (ephemeral) listeners, in broker-id order: the same as <see cref="BootstrapServers"/> without
    /// <see cref="MockKafkaClusterOptions.Port"/>. While <see cref="MockKafkaClusterOptions.DeferFixedPorts"/> keeps the fixed
    /// ports closed, brokers advertise these, so in-process clients can load data before other clients can connect.
    /// Once the fixed ports are open, metadata sends clients to those.
    /// </summary>
    public string DirectBootstrapServers { get; }

    /// <summary>The topics created through <see cref="CreateTopic"/> or <see cref="MockKafkaClusterOptions.Topics"/>.</summary>
    public IReadOnlyList<MockKafkaTopic> Topics
    {
        get
        {
            lock (_gate)
            {
                return [.. _topics.Select(t => new MockKafkaTopic(t.Key, t.Value))];
            }
        }
    }

    /// <summary>The number of brokers; their ids are 1 to <see cref="BrokerCount"/>.</summary>
    public int BrokerCount { get; }

    /// <summary>Starts a development broker and creates <see cref="MockKafkaClusterOptions.Topics"/>.</summary>
    /// <param name="options">How to set up the cluster.</param>
    /// <param name="logger">Where to log; nothing is logged when <see langword="null"/>.</param>
    /// <returns>The running cluster; dispose it to stop it.</returns>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="InvalidOperationException">
    /// The cluster cannot be started, e.g. because a fixed port is in use (the message names the port), or a topic cannot
    /// be created.
    /// </exception>
    public static MockKafkaCluster Start(MockKafkaClusterOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        logger ??= NullLogger.Instance;
        Log.NotForProduction(logger);

        var handle = CreateHostHandle();
        var cluster = MockNative.ClusterNew(handle, options.BrokerCount);
        if (cluster == 0)
        {
            MockNative.Destroy(handle);
            throw new InvalidOperationException(
                $"librdkafka could not create a mock cluster with {options.BrokerCount} broker(s); its log on stderr says why.");
        }

        // A real broker's default of 3 s (group.initial.rebalance.delay.ms) only slows down the first
        // assignment of every consumer group on a development machine.
        MockNative.GroupInitialRebalanceDelayMs(cluster, (int)options.GroupInitialRebalanceDelay.TotalMilliseconds);
        var relays = new List<TcpRelay>();
        try
        {
            var listeners = ParseBootstraps(Marshal.PtrToStringUTF8(MockNative.ClusterBootstraps(cluster)), options.BrokerCount);
            var advertised = new List<string>(options.BrokerCount);
            for (var brokerId = 1; brokerId <= options.BrokerCount; brokerId++)
            {
                var listener = listeners[brokerId - 1];
                var port = listener.Port;
                if (options.Port > 0)
                {
                    // Bound now so that a port in use fails start at once; served from OpenFixedPorts.
                    port = options.Port + brokerId - 1;
                    relays.Add(TcpRelay.Bind(port, listener, brokerId, logger));
                }
                else if (!string.Equals(options.AdvertisedHost, listener.Address.ToString(), StringComparison.Ordinal))
                {
                    MockNative.BrokerSetHostPort(cluster, brokerId, options.AdvertisedHost, port);
                }

                advertised.Add(string.Create(CultureInfo.InvariantCulture, $"{options.AdvertisedHost}:{port}"));
            }

            var result = new MockKafkaCluster(
                handle, cluster, options.BrokerCount, string.Join(',', advertised),
                string.Join(',', listeners.Select(l => l.ToString())), [.. relays], options.AdvertisedHost, logger);
            foreach (var topic in options.Topics)
            {
                result.CreateTopic(topic.Name, topic.Partitions);
            }

            if (!options.DeferFixedPorts)
            {
                result.OpenFixedPorts();
            }

            Log.Started(logger, result.BrokerCount, result.BootstrapServers);
            return result;
        }
        catch
        {
            foreach (var relay in relays)
            {
                relay.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }

            MockNative.ClusterDestroy(cluster);
            MockNative.Destroy(handle);
            throw;
        }
    }

    /// <summary>Creates a topic. Creating a topic that exists with the same partition count does nothing.</summary>
    /// <param name="name">The topic name: 1 to 249 characters out of <c>[A-Za-z0-9._-]</c>.</param>
    /// <param name="partitions">The partition count, at least 1.</param>
    /// <exception cref="InvalidOperationException">
    /// The topic exists with another partition count, or the broker refused to create it.
    /// </exception>
    public void CreateTopic(string name, int partitions)
    {
        ValidateTopic(name, partitions);
        int error;
        lock (_gate)
        {
            var cluster = Cluster();
            if (_topics.TryGetValue(name, out var existing) && existing == partitions)
            {
                return;
            }

            error = MockNative.TopicCreate(cluster, name, partitions, Math.Min(MaxReplicationFactor, BrokerCount));
            if (error == 0)
            {
                _topics[name] = partitions;
                Log.TopicCreated(_logger, name, partitions);
                return;
            }

            if (error == TopicAlreadyExists && _topics.TryGetValue(name, out existing))
            {
                throw new InvalidOperationException(
                    $"Topic '{name}' already exists with {existing} partition(s), not {partitions}; use another name.");
            }
        }

        if (error == TopicAlreadyExists)
        {
            // Created by a client's metadata request (auto-creation), so its partition count is only known to the broker.
            var existing = PartitionCountFromMetadata(name);
            lock (_gate)
            {
                _topics[name] = existing;
            }

            if (existing != partitions)
            {
                throw new InvalidOperationException(
                    $"Topic '{name}' already exists with {existing} partition(s), not {partitions} (a client created it "
                    + "automatically before CreateTopic was called); create topics before clients use them, or use another name.");
            }

            return;
        }

        throw new InvalidOperationException(
            $"The development broker could not create topic '{name}' with {partitions} partition(s): "
            + $"{MockNative.ErrorText(error)} ({(ErrorCode)error}).");
    }

    /// <summary>
    /// Serves the fixed ports (<see cref="MockKafkaClusterOptions.Port"/>) and makes metadata advertise them. Does nothing
    /// when they are open already or there are none. Call it while no client is connected to
    /// <see cref="DirectBootstrapServers"/>: the mock changes advertised listeners without synchronising with requests in
    /// flight.
    /// </summary>
    public void OpenFixedPorts()
    {
        lock (_gate)
        {
            var cluster = Cluster();
            if (_fixedPortsOpen)
            {
                return;
            }

            foreach (var (relay, index) in _relays.Select((r, i) => (r, i)))
            {
                var brokerId = index + 1;
                MockNative.BrokerSetHostPort(cluster, brokerId, _advertisedHost, relay.Endpoint.Port);
                relay.Open();
                Log.RelayStarted(_logger, brokerId, relay.Endpoint, relay.Backend);
            }

            _fixedPortsOpen = true;
        }
    }

    /// <summary>Disconnects the broker and refuses new connections until <see cref="SetBrokerUp"/>; leaders do not move.</summary>
    /// <param name="brokerId">The broker id, 1 to <see cref="BrokerCount"/>.</param>
    public void SetBrokerDown(int brokerId)
    {
        ValidateBrokerId(brokerId);
        Check(Invoke(c => MockNative.BrokerSetDown(c, brokerId)), $"set broker {brokerId} down");
        Log.BrokerState(_logger, brokerId, "down");
    }

    /// <summary>Makes a broker set down with <see cref="SetBrokerDown"/> accept connections again.</summary>
    /// <param name="brokerId">The broker id, 1 to <see cref="BrokerCount"/>.</param>
    public void SetBrokerUp(int brokerId)
    {
        ValidateBrokerId(brokerId);
        Check(Invoke(c => MockNative.BrokerSetUp(c, brokerId)), $"set broker {brokerId} up");
        Log.BrokerState(_logger, brokerId, "up");
    }

    /// <summary>Delays every response of a broker by <paramref name="rtt"/>; <see cref="TimeSpan.Zero"/> removes the delay.</summary>
    /// <param name="brokerId">The broker id, 1 to <see cref="BrokerCount"/>.</param>
    /// <param name="rtt">The round-trip time, in whole milliseconds, at most <see cref="int.MaxValue"/> ms.</param>
    public void SetRtt(int brokerId, TimeSpan rtt)
    {
        ValidateBrokerId(brokerId);
        ArgumentOutOfRangeException.ThrowIfLessThan(rtt, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(rtt, TimeSpan.FromMilliseconds(int.MaxValue));
        var rttMs = (int)rtt.TotalMilliseconds;
        Check(Invoke(c => MockNative.BrokerSetRtt(c, brokerId, rttMs)), $"set the round-trip time of broker {brokerId}");
        Log.RttSet(_logger, brokerId, rtt);
    }

    /// <summary>
    /// Makes the next requests with <paramref name="apiKey"/> (on any broker) fail with <paramref name="errors"/>, one
    /// error per request, in order; a request is not carried out when it fails this way.
    /// </summary>
    /// <param name="apiKey">The Kafka API key, e.g. 0 for Produce, 1 for Fetch, 3 for Metadata.</param>
    /// <param name="errors">The errors to answer with; <see cref="ErrorCode.NoError"/> lets a request through.</param>
    public unsafe void PushRequestErrors(short apiKey, IReadOnlyList<ErrorCode> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentOutOfRangeException.ThrowIfNegative(apiKey);
        if (errors.Count == 0)
        {
            return;
        }

        var codes = new int[errors.Count];
        for (var i = 0; i < codes.Length; i++)
        {
            codes[i] = (int)errors[i];
        }

        lock (_gate)
        {
            var cluster = Cluster();
            fixed (int* first = codes)
            {
                MockNative.PushRequestErrorsArray(cluster, apiKey, (nuint)codes.Length, first);
            }
        }

        if (_logger.IsEnabled(LogLevel.Information))
        {
            Log.ErrorsPushed(_logger, codes.Length, apiKey, string.Join(", ", errors));
        }
    }

    /// <summary>Removes the errors pushed with <see cref="PushRequestErrors"/> for <paramref name="apiKey"/> that are left.</summary>
    /// <param name="apiKey">The Kafka API key.</param>
    public void ClearRequestErrors(short apiKey)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(apiKey);
        lock (_gate)
        {
            MockNative.ClearRequestErrors(Cluster(), apiKey);
        }

        Log.ErrorsCleared(_logger, apiKey);
    }

    /// <summary>Stops the relays and the cluster; all data is lost.</summary>
    /// <returns>A task that completes when the broker has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        nint cluster, handle;
        lock (_gate)
        {
            (cluster, handle) = (_cluster, _handle);
            (_cluster, _handle) = (0, 0);
        }

        if (cluster == 0)
        {
            return;
        }

        foreach (var relay in _relays)
        {
            await relay.DisposeAsync();
        }

        // Destroying joins librdkafka's threads; keep that off the caller's thread.
        await Task.Run(() =>
        {
            MockNative.ClusterDestroy(cluster);
            MockNative.Destroy(handle);
        });
        Log.Stopped(_logger);
    }

    private static unsafe nint CreateHostHandle()
    {
        // The host handle only carries the mock's bookkeeping; the mock's broker sockets take their options from it.
        var conf = MockNative.ConfNew();
        var errstr = stackalloc byte[MockNative.ErrorStringSize];
        (string Name, string Value)[] settings =
        [
            ("client.id", "metering-dev-broker"),
            // Accepted broker connections get TCP_NODELAY: without it Nagle's algorithm delays small responses.
            ("socket.nagle.disable", "true"),
            // The mock refuses requests larger than this (default 100 MB); let the clients' own limits apply.
            ("receive.message.max.bytes", "1000000000"),
            // The host handle has no bootstrap servers; do not print its notices about that.
            ("log_level", "4"),
        ];
        foreach (var (name, value) in settings)
        {
            if (MockNative.ConfSet(conf, name, value, errstr, MockNative.ErrorStringSize) != MockNative.ConfOk)
            {
                var message = Marshal.PtrToStringUTF8((nint)errstr);
                MockNative.ConfDestroy(conf);
                throw new InvalidOperationException($"librdkafka rejected {name}={value}: {message}");
            }
        }

        var handle = MockNative.New(MockNative.ProducerType, conf, errstr, MockNative.ErrorStringSize);
        if (handle == 0)
        {
            var message = Marshal.PtrToStringUTF8((nint)errstr);
            MockNative.ConfDestroy(conf);
            throw new InvalidOperationException($"librdkafka could not create the mock cluster's host handle: {message}");
        }

        return handle;
    }

    /// <summary>Parses <c>rd_kafka_mock_cluster_bootstraps</c>: <c>host:port</c> entries in broker-id order.</summary>
    private static IPEndPoint[] ParseBootstraps(string? bootstraps, int brokerCount)
    {
        var endpoints = (bootstraps ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(entry => IPEndPoint.TryParse(entry, out var endpoint) ? endpoint : null)
            .ToArray();
        if (endpoints.Length != brokerCount || endpoints.Any(e => e is null))
        {
            throw new InvalidOperationException(
                $"Unexpected mock cluster bootstrap list '{bootstraps}' for {brokerCount} broker(s).");
        }

        return endpoints!;
    }

    private int PartitionCountFromMetadata(string name)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = BootstrapServers }).Build();
        var metadata = admin.GetMetadata(name, TimeSpan.FromSeconds(10));
        var topic = metadata.Topics.SingleOrDefault(t => t.Topic == name);
        if (topic is null || topic.Error.IsError)
        {
            throw new InvalidOperationException(
                $"Topic '{name}' already exists but its metadata cannot be read: {topic?.Error.Reason ?? "not in the metadata"}.");
        }

        return topic.Partitions.Count;
    }

    private int Invoke(Func<nint, int> call)
    {
        lock (_gate)
        {
            return call(Cluster());
        }
    }

    private nint Cluster()
    {
        ObjectDisposedException.ThrowIf(_cluster == 0, this);
        return _cluster;
    }

    private static void Check(int error, string what)
    {
        if (error != 0)
        {
            throw new InvalidOperationException(
                $"The development broker could not {what}: {MockNative.ErrorText(error)} ({(ErrorCode)error}).");
        }
    }

    private void ValidateBrokerId(int brokerId)
    {
        if (brokerId < 1 || brokerId > BrokerCount)
        {
            throw new ArgumentOutOfRangeException(nameof(brokerId), brokerId, $"Broker ids are 1 to {BrokerCount}.");
        }
    }

    private static void Validate(MockKafkaClusterOptions options)
    {
        if (options.BrokerCount < 1)
        {
            throw new ArgumentException($"BrokerCount must be at least 1, not {options.BrokerCount}.", nameof(options));
        }

        if (options.Port < 0 || (options.Port > 0 && options.Port + options.BrokerCount - 1 > IPEndPoint.MaxPort))
        {
            throw new ArgumentException(
                $"Port must be 0 (ephemeral ports) or a port such that Port + BrokerCount - 1 <= {IPEndPoint.MaxPort}, "
                + $"not {options.Port} with {options.BrokerCount} broker(s).", nameof(options));
        }

        if (string.IsNullOrWhiteSpace(options.AdvertisedHost))
        {
            throw new ArgumentException("AdvertisedHost must not be empty.", nameof(options));
        }

        ArgumentNullException.ThrowIfNull(options.Topics, nameof(options));
        foreach (var topic in options.Topics)
        {
            ArgumentNullException.ThrowIfNull(topic, nameof(options));
            ValidateTopic(topic.Name, topic.Partitions);
        }
    }

    private static void ValidateTopic(string name, int partitions)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!TopicName().IsMatch(name) || name is "." or "..")
        {
            throw new ArgumentException(
                $"'{name}' is not a valid topic name: use 1 to 249 characters out of [A-Za-z0-9._-].", nameof(name));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,249}$")]
    private static partial Regex TopicName();
}
