namespace Metering.Testing;

/// <summary>
/// A topic of its own for one test, on <see cref="KafkaBroker.Instance"/>, with a unique name and consumer group.
/// Disposing deletes it from an external broker; the development broker keeps it in memory until it stops.
/// </summary>
public sealed class TemporaryTopic : IAsyncDisposable
{
    private TemporaryTopic(string name, KafkaBroker broker)
    {
        Name = name;
        Broker = broker;
    }

    /// <summary>The unique topic name, <c>test-&lt;guid&gt;</c>.</summary>
    public string Name { get; }

    /// <summary>A consumer group name unique to this topic.</summary>
    public string ConsumerGroup => $"{Name}-group";

    /// <summary>The broker the topic lives on.</summary>
    public KafkaBroker Broker { get; }

    /// <summary>Creates a topic with a unique name, starting the broker on first use.</summary>
    /// <param name="partitions">The partition count.</param>
    /// <returns>The topic, ready to produce to.</returns>
    public static async Task<TemporaryTopic> CreateAsync(int partitions = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        var broker = await KafkaBroker.GetAsync();
        var topic = new TemporaryTopic($"test-{Guid.NewGuid():N}", broker);
        await broker.CreateTopicAsync(topic.Name, partitions);
        return topic;
    }

    /// <summary>Deletes the topic from an external broker.</summary>
    /// <returns>A task that completes when the deletion was accepted.</returns>
    public async ValueTask DisposeAsync() => await Broker.DeleteTopicAsync(Name);
}
