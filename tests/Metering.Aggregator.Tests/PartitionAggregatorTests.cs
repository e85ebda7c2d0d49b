using System.Text;
using Metering.Aggregator.Attribution;
using Metering.Aggregator.Pipeline;
using Metering.Aggregator.Storage;
using Metering.Events;
using Metering.Events.Meters;
using Metering.Testing;
using Metering.Windowing;

namespace Metering.Aggregator.Tests;

/// <summary>The rules of DESIGN.md §5 on one partition, with a fake clock and no servers.</summary>
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class PartitionAggregatorTests
{
    private static readonly DateTimeOffset Hour = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly WindowPolicy Policy = new(TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromSeconds(5));
    private static readonly MeterCatalog Meters = MeterCatalog.Parse("""
        { "meters": [
          { "name": "calls", "eventType": "t", "aggregation": "COUNT", "groupBy": { "route": "$.route", "method": "$.method" } },
          { "name": "sum", "eventType": "t", "aggregation": "SUM", "valueProperty": "$.v" },
          { "name": "max", "eventType": "t", "aggregation": "MAX", "valueProperty": "$.v" },
          { "name": "min", "eventType": "t", "aggregation": "MIN", "valueProperty": "$.v" },
          { "name": "latest", "eventType": "t", "aggregation": "LATEST", "valueProperty": "$.v" },
          { "name": "unique", "eventType": "t", "aggregation": "UNIQUE_COUNT", "valueProperty": "$.v" }
        ] }
        """);

    private static readonly string[] UniqueValues = ["3", "1"];
    private static readonly string[] ReplayedTeams = ["before", "before", "before", "after"];

    private readonly FakeTimeProvider _clock = new(Hour.AddDays(1));
    private readonly TeamDirectory _directory = new();
    private long _offset;

    [Test]
    public void Flush_EventsInOneWindow_RowsHoldEveryAggregation()
    {
        var partition = NewPartition();
        var batch = new WindowBatch();
        Apply(partition, batch, Event("a", Hour.AddMinutes(10), """{"v":3}"""));
        Apply(partition, batch, Event("b", Hour.AddMinutes(30), """{"v":1}"""));
        Apply(partition, batch, Event("c", Hour.AddMinutes(20), """{"v":3}"""));
        Apply(partition, batch, Event("d", Hour.AddMinutes(40), """{"other":1}"""));

        partition.Flush(batch, "topic", _clock.GetUtcNow());

        var rows = Rollups(batch).ToDictionary(r => r.Meter);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(rows["calls"].EventCount, Is.EqualTo(4UL));
            Assert.That(rows["sum"].ValueSum, Is.EqualTo(7));
            Assert.That(rows["sum"].ValueCount, Is.EqualTo(3UL), "the event without a value counts for COUNT only");
            Assert.That(rows["max"].ValueMax, Is.EqualTo(3));
            Assert.That(rows["min"].ValueMin, Is.EqualTo(1));
            Assert.That(rows["latest"].LatestValue, Is.EqualTo(1), "latest by event time, not by arrival");
            Assert.That(rows["unique"].UniqueValues, Is.EquivalentTo(UniqueValues));
            Assert.That(rows.Values.Select(r => r.LastEventMs).Distinct(), Is.EqualTo(new[] { Hour.AddMinutes(40).ToUnixTimeMilliseconds() }),
                "the latest event, with a value or not");
            Assert.That(rows.Values.Select(r => r.WindowStart).Distinct(), Is.EqualTo(new[] { Hour }));
            Assert.That(rows.Values.Select(r => r.FinalizedAt).Distinct(), Is.EqualTo(new[] { DateTimeOffset.UnixEpoch }));
            Assert.That(batch.Progress.Single().NextOffset, Is.EqualTo(4UL));
        }
    }

    [Test]
    public void Flush_GroupByPaths_KeyHoldsTheValuesInNameOrder()
    {
        var partition = NewPartition();
        var batch = new WindowBatch();
        Apply(partition, batch, Event("a", Hour, """{"route":"/x","method":"GET"}"""));
        Apply(partition, batch, Event("b", Hour, """{"route":"/x"}"""));

        partition.Flush(batch, "topic", _clock.GetUtcNow());

        Assert.That(Rollups(batch).Where(r => r.Meter == "calls").Select(r => (r.GroupBy, r.EventCount)),
            Is.EquivalentTo(new[] { ("""{"method":"GET","route":"/x"}""", 1UL), ("""{"method":"","route":"/x"}""", 1UL) }));
    }

    [Test]
    public void Apply_SameAccountSourceAndIdAgain_CountsOnceAndStoresTheDuplicate()
    {
        var partition = NewPartition();
        var batch = new WindowBatch();
        var first = Apply(partition, batch, Event("a", Hour, """{"v":5}"""));
        var again = Apply(partition, batch, Event("a", Hour, """{"v":5}"""));
        var otherSource = Apply(partition, batch, Event("a", Hour, """{"v":5}""") with { Source = "elsewhere" });

        partition.Flush(batch, "topic", _clock.GetUtcNow());

        using (Assert.EnterMultipleScope())
        {
            Assert.That((first.Duplicate, again.Duplicate, otherSource.Duplicate), Is.EqualTo((false, true, false)));
            Assert.That(Rollups(batch).Single(r => r.Meter == "sum").ValueSum, Is.EqualTo(10));
            Assert.That(Events(batch).Select(e => e.Duplicate), Is.EqualTo(new byte[] { 0, 1, 0 }));
        }
    }

    [Test]
    public void Apply_OutOfOrderWithinLateness_AddsToTheOpenWindow()
    {
        var partition = NewPartition();
        var batch = new WindowBatch();
        Apply(partition, batch, Event("a", Hour.AddHours(2).AddMinutes(59), """{"v":1}"""));
        var late = Apply(partition, batch, Event("b", Hour.AddMinutes(1), """{"v":2}"""));

        partition.Flush(batch, "topic", _clock.GetUtcNow());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(late.LateMeters, Is.Zero);
            Assert.That(Adjustments(batch), Is.Empty);
            Assert.That(Rollups(batch).Single(r => r.Meter == "sum" && r.WindowStart == Hour).ValueSum, Is.EqualTo(2));
        }
    }

    [Test]
    public void Apply_WatermarkPassesEndPlusLateness_WindowTurnsFinalAndALateEventBecomesAnAdjustment()
    {
        var partition = NewPartition();
        var batch = new WindowBatch();
        Apply(partition, batch, Event("a", Hour.AddMinutes(5), """{"v":4}"""));
        partition.Flush(batch, "topic", _clock.GetUtcNow());
        var provisional = Rollups(batch).Single(r => r.Meter == "sum");

        // end 13:00 + lateness 2 h = 15:00; watermark = event time - 5 s.
        var closing = new WindowBatch();
        Apply(partition, closing, Event("b", Hour.AddHours(3).AddSeconds(4), """{"v":1}"""));
        var stillOpen = Rollups(closing).Count;
        Apply(partition, closing, Event("c", Hour.AddHours(3).AddSeconds(5), """{"v":1}"""));
        var final = Rollups(closing).Single(r => r.Meter == "sum");
        var late = Apply(partition, closing, Event("d", Hour.AddMinutes(50), """{"v":9}"""));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(stillOpen, Is.Zero, "one millisecond before the watermark reaches end + lateness");
            Assert.That(final.FinalizedAt, Is.EqualTo(_clock.GetUtcNow()));
            Assert.That(final.ValueSum, Is.EqualTo(4));
            Assert.That(final.Version, Is.GreaterThan(provisional.Version), "the final row supersedes the provisional one");
            Assert.That(final.Version % 2, Is.EqualTo(1UL));
            Assert.That(late.LateMeters, Is.EqualTo(Meters.ForEventType("t").Count));
            var adjustment = Adjustments(closing).Single(a => a.Meter == "sum");
            Assert.That((adjustment.WindowStart, adjustment.Value, adjustment.HasValue, adjustment.Id), Is.EqualTo((Hour, 9.0, (byte)1, "d")));
        }

        partition.Flush(closing, "topic", _clock.GetUtcNow());
        Assert.That(Rollups(closing).Count(r => r.WindowStart == Hour && r.FinalizedAt == DateTimeOffset.UnixEpoch), Is.Zero, "a final window gets no more provisional rows");
    }

    [Test]
    public void Apply_WindowOpenedOutOfOrder_EachWindowTurnsFinalWhenTheWatermarkPassesIt()
    {
        var partition = NewPartition();
        var batch = new WindowBatch();
        Apply(partition, batch, Event("a", Hour.AddHours(1).AddMinutes(10), """{"v":1}"""));
        Apply(partition, batch, Event("b", Hour.AddMinutes(10), """{"v":2}"""));
        partition.Flush(batch, "topic", _clock.GetUtcNow());

        // Hour ends 13:00, final from 15:00 on; the next hour from 16:00 on (watermark = event time - 5 s).
        var first = new WindowBatch();
        Apply(partition, first, Event("c", Hour.AddHours(3).AddSeconds(5), """{"v":3}"""));
        var second = new WindowBatch();
        Apply(partition, second, Event("d", Hour.AddHours(4).AddSeconds(5), """{"v":4}"""));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Rollups(first).Where(r => r.Meter == "sum").Select(r => (r.WindowStart, r.ValueSum)), Is.EqualTo(new[] { (Hour, 2.0) }));
            Assert.That(Rollups(second).Where(r => r.Meter == "sum").Select(r => (r.WindowStart, r.ValueSum)),
                Is.EqualTo(new[] { (Hour.AddHours(1), 1.0) }));
            Assert.That(Rollups(second).All(r => r.FinalizedAt > DateTimeOffset.UnixEpoch), Is.True);
        }
    }

    [Test]
    public void AdvanceIdle_CaughtUpPartition_WatermarkFollowsTheClock()
    {
        var partition = NewPartition();
        var batch = new WindowBatch();
        Apply(partition, batch, Event("a", Hour, """{"v":1}"""));
        partition.Flush(batch, "topic", _clock.GetUtcNow());

        var notCaughtUp = new WindowBatch();
        partition.AdvanceIdle(endOffset: 5, Hour.AddHours(4).ToUnixTimeMilliseconds(), notCaughtUp, _clock.GetUtcNow());
        var idle = new WindowBatch();
        partition.AdvanceIdle(endOffset: 1, Hour.AddHours(4).ToUnixTimeMilliseconds(), idle, _clock.GetUtcNow());
        partition.Flush(idle, "topic", _clock.GetUtcNow());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Rollups(notCaughtUp), Is.Empty, "records arrived after the end it saw");
            Assert.That(Rollups(idle).Count(r => r.FinalizedAt > DateTimeOffset.UnixEpoch), Is.EqualTo(Meters.ForEventType("t").Count));
            Assert.That(idle.Progress.Single().WatermarkMs, Is.EqualTo(Hour.AddHours(4).AddSeconds(-5).ToUnixTimeMilliseconds()));
        }
    }

    [Test]
    public void Apply_DuplicateOlderThanTheHorizon_IsNoLongerRecognized()
    {
        var partition = NewPartition(dedupeHorizon: TimeSpan.FromHours(3));
        var batch = new WindowBatch();
        Apply(partition, batch, Event("a", Hour, """{"v":1}"""));
        Apply(partition, batch, Event("b", Hour.AddHours(2).AddMinutes(59), """{"v":1}"""));
        var withinHorizon = partition.DedupeKeys;
        Apply(partition, batch, Event("c", Hour.AddHours(3).AddMinutes(2), """{"v":1}"""));
        Apply(partition, batch, Event("c2", Hour.AddHours(3).AddMinutes(3), """{"v":1}"""));

        var resent = Apply(partition, batch, Event("a", Hour, """{"v":1}"""));
        var recent = Apply(partition, batch, Event("b", Hour.AddHours(2).AddMinutes(59), """{"v":1}"""));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(withinHorizon, Is.EqualTo(2));
            Assert.That(resent.Duplicate, Is.False, "evicted: beyond the horizon a resend is a new (late) event");
            Assert.That(resent.LateMeters, Is.GreaterThan(0));
            Assert.That(recent.Duplicate, Is.True);
        }
    }

    [Test]
    public void Apply_TeamChangesAtAnInstant_EventsOnEachSideGetTheirTeam()
    {
        var change = Hour.AddMinutes(30).ToUnixTimeMilliseconds();
        _directory.Replace([
            new AssignmentRow("acct", "u-1", "render", "g1", 0, change),
            new AssignmentRow("acct", "u-1", "search", "", change, long.MaxValue),
        ]);
        var partition = NewPartition();
        var batch = new WindowBatch();
        Apply(partition, batch, Event("a", Hour.AddMinutes(30).AddMilliseconds(-1), "{}"));
        Apply(partition, batch, Event("b", Hour.AddMinutes(30), "{}"));
        var noSubject = Apply(partition, batch, Event("c", Hour, "{}") with { Subject = null });
        var stranger = Apply(partition, batch, Event("d", Hour, "{}") with { Subject = "u-2" });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Events(batch).Select(e => (e.Team, e.GroupName)), Is.EqualTo(new[]
            {
                ("render", "g1"), ("search", ""), (TeamDirectory.Unassigned, ""), (TeamDirectory.Unassigned, ""),
            }));
            Assert.That((noSubject.Attributed, stranger.Attributed), Is.EqualTo((false, false)));
        }
    }

    [Test]
    public void Resume_FromRowsWrittenBeyondProgress_ReplayedRecordsAreNotCountedTwiceAndKeepTheirTeam()
    {
        // Before a crash: offsets 0-2 applied and their rows written, progress still at 0.
        _directory.Replace([new AssignmentRow("acct", "u-1", "before", "", 0, long.MaxValue)]);
        var first = NewPartition();
        var written = new WindowBatch();
        var events = new[] { Event("a", Hour, """{"v":1}"""), Event("b", Hour, """{"v":2}"""), Event("c", Hour, """{"v":4}""") };
        foreach (var e in events)
        {
            Apply(first, written, e);
        }

        first.Flush(written, "topic", _clock.GetUtcNow());

        // The directory changed meanwhile; the stored team is repeated, never rewritten.
        _directory.Replace([new AssignmentRow("acct", "u-1", "after", "", 0, long.MaxValue)]);
        var snapshot = new PartitionSnapshot(0, long.MinValue, Rollups(written), [],
            Events(written).Select(e => new StoredDecisionRow(e.KafkaPartition, e.KafkaOffset, e.Team, e.GroupName, e.Duplicate)).ToList());
        var resumed = new PartitionAggregator(0, snapshot, Policy, TimeSpan.FromDays(3), Meters, _directory);
        var replay = new WindowBatch();
        _offset = 0;
        foreach (var e in events)
        {
            Apply(resumed, replay, e);
        }

        Apply(resumed, replay, Event("d", Hour, """{"v":8}"""));
        resumed.Flush(replay, "topic", _clock.GetUtcNow());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Rollups(replay).Where(r => r.Team == "before"), Is.Empty, "the restored rows already hold the replayed records");
            Assert.That(Rollups(replay).Single(r => r.Meter == "sum" && r.Team == "after").ValueSum, Is.EqualTo(8));
            Assert.That(Events(replay).Select(e => e.Team), Is.EqualTo(ReplayedTeams));
        }
    }

    [Test]
    public void Resume_OpenRow_LastEventIsRestoredAndOnlyMovesForward()
    {
        var first = NewPartition();
        var written = new WindowBatch();
        Apply(first, written, Event("a", Hour.AddMinutes(50).AddMilliseconds(7), "{}"));
        first.Flush(written, "topic", _clock.GetUtcNow());
        var snapshot = new PartitionSnapshot(1, written.Progress.Single().WatermarkMs, Rollups(written), [], []);
        var resumed = new PartitionAggregator(0, snapshot, Policy, TimeSpan.FromDays(3), Meters, _directory);
        var batch = new WindowBatch();

        Apply(resumed, batch, Event("b", Hour.AddMinutes(10), """{"v":1}"""));
        resumed.Flush(batch, "topic", _clock.GetUtcNow());

        Assert.That(Rollups(batch).Select(r => r.LastEventMs).Distinct(),
            Is.EqualTo(new[] { Hour.AddMinutes(50).AddMilliseconds(7).ToUnixTimeMilliseconds() }));
    }

    [Test]
    public void Resume_FinalRowWrittenBeyondProgress_WindowStaysFinal()
    {
        var finalRow = new RollupRow("sum", "acct", "unassigned", "u-1", "{}", Hour, Hour.AddHours(1), 0, 1, 1, 4, 4, 4, 4, 0, 0, [],
            Hour.AddHours(3), 11, Hour.AddHours(3));
        var snapshot = new PartitionSnapshot(3, Hour.AddMinutes(5).ToUnixTimeMilliseconds(), [finalRow], [], []);
        var partition = new PartitionAggregator(0, snapshot, Policy, TimeSpan.FromDays(3), Meters, _directory);
        var batch = new WindowBatch();
        _offset = 3;

        var outcome = Apply(partition, batch, Event("x", Hour.AddMinutes(40), """{"v":1}"""));

        Assert.That(outcome.LateMeters, Is.EqualTo(Meters.ForEventType("t").Count));
    }

    private PartitionAggregator NewPartition(TimeSpan? dedupeHorizon = null) =>
        new(0, PartitionSnapshot.Empty, Policy, dedupeHorizon ?? TimeSpan.FromDays(3), Meters, _directory);

    private RecordOutcome Apply(PartitionAggregator partition, WindowBatch batch, UsageEvent usageEvent) =>
        partition.Apply(_offset++, usageEvent with { Data = null }, Encoding.UTF8.GetBytes(usageEvent.Data ?? ""), batch, _clock.GetUtcNow());

    private static UsageEvent Event(string id, DateTimeOffset time, string data) =>
        new(id, "tests", "t", time, "u-1", "acct", data, "ingest-" + id, time);

    /// <summary>The rows a batch holds, read back from their encoding.</summary>
    private static IReadOnlyList<RollupRow> Rollups(WindowBatch batch) => batch.Rollups.Read(RollupRow.Read);

    private static IReadOnlyList<UsageEventRow> Events(WindowBatch batch) => batch.Events.Read(UsageEventRow.Read);

    private static IReadOnlyList<AdjustmentRow> Adjustments(WindowBatch batch) => batch.Adjustments.Read(AdjustmentRow.Read);
}
