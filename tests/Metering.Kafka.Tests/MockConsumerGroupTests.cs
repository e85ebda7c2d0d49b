using System.Diagnostics;
using Confluent.Kafka;
using Metering.Testing;

namespace Metering.Kafka.Tests;

/// <summary>Consumer groups on the development broker behave like a real broker's.</summary>
[Integration]
public sealed class MockConsumerGroupTests
{
    /// <summary>Far longer than a group's rejoin should take, far shorter than the session timeout.</summary>
    private static readonly TimeSpan AssignmentDeadline = TimeSpan.FromSeconds(20);
    private const int SessionTimeoutMs = 45_000;

    [Test]
    public async Task Subscribe_AfterTheLastMemberLeft_IsAssignedWithoutWaitingOutTheSession()
    {
        await using var topic = await TemporaryTopic.CreateAsync(partitions: 2);

        var first = await Task.Factory.StartNew(() => TimeToAssignment(topic), TaskCreationOptions.LongRunning);
        var second = await Task.Factory.StartNew(() => TimeToAssignment(topic), TaskCreationOptions.LongRunning);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Is.Not.Null, "the first member was never assigned");
            Assert.That(second, Is.Not.Null,
                $"a member joining after the last one left waited more than {AssignmentDeadline}: the group was not emptied on leave");
        }
    }

    /// <summary>Subscribes a member of the topic's group, waits for its assignment, and leaves the group.</summary>
    private static TimeSpan? TimeToAssignment(TemporaryTopic topic)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = topic.Broker.BootstrapServers,
            GroupId = topic.ConsumerGroup,
            SessionTimeoutMs = SessionTimeoutMs,
            FetchWaitMaxMs = 10,
        }).Build();
        consumer.Subscribe(topic.Name);
        var clock = Stopwatch.StartNew();
        while (consumer.Assignment.Count == 0 && clock.Elapsed < AssignmentDeadline)
        {
            consumer.Consume(TimeSpan.FromMilliseconds(100));
        }

        var assigned = consumer.Assignment.Count > 0 ? clock.Elapsed : (TimeSpan?)null;
        consumer.Close();
        return assigned;
    }
}
