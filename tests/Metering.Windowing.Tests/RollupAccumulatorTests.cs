namespace Metering.Windowing.Tests;

public class RollupAccumulatorTests
{
    [Test]
    public void New_Accumulator_IsEmpty()
    {
        var accumulator = new RollupAccumulator();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(accumulator.EventCount, Is.Zero);
            Assert.That(accumulator.ValueCount, Is.Zero);
            Assert.That(accumulator.Sum, Is.Zero);
            Assert.That(accumulator.LatestTimeMs, Is.EqualTo(long.MinValue));
            Assert.That(accumulator.LastEventMs, Is.EqualTo(long.MinValue));
            Assert.That(accumulator.UniqueValues, Is.Empty);
        }
    }

    [Test]
    public void Add_EventsOutOfOrderWithAndWithoutValues_LastEventIsTheLatestEventTime()
    {
        var accumulator = new RollupAccumulator();

        accumulator.Add(5, 2_000);
        accumulator.Add(null, 3_500);
        accumulator.Add(7, 1_000);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(accumulator.LastEventMs, Is.EqualTo(3_500), "an event without a value is an access too");
            Assert.That(accumulator.LatestTimeMs, Is.EqualTo(2_000));
        }
    }

    [Test]
    public void Add_EventsBeforeTheEpoch_LastEventIsTheLatestOfThem()
    {
        var accumulator = new RollupAccumulator();

        accumulator.Add(null, -86_400_000);
        accumulator.Add(null, -90_000_000);

        Assert.That(accumulator.LastEventMs, Is.EqualTo(-86_400_000));
    }

    [Test]
    public void Add_EventsWithoutValues_CountsEventsOnly()
    {
        var accumulator = new RollupAccumulator();

        accumulator.Add(null, 1_000);
        accumulator.Add(null, 2_000);
        accumulator.Add(null, 3_000);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(accumulator.EventCount, Is.EqualTo(3));
            Assert.That(accumulator.ValueCount, Is.Zero);
            Assert.That(accumulator.Sum, Is.Zero);
            Assert.That(accumulator.LatestTimeMs, Is.EqualTo(long.MinValue));
        }
    }

    [Test]
    public void Add_EventsWithAndWithoutValues_CountsBoth()
    {
        var accumulator = new RollupAccumulator();

        accumulator.Add(null, 1_000);
        accumulator.Add(5, 2_000);
        accumulator.Add(null, 3_000);
        accumulator.Add(0, 4_000);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(accumulator.EventCount, Is.EqualTo(4));
            Assert.That(accumulator.ValueCount, Is.EqualTo(2));
            Assert.That(accumulator.Sum, Is.EqualTo(5));
            Assert.That(accumulator.Min, Is.Zero);
            Assert.That(accumulator.Max, Is.EqualTo(5));
        }
    }

    [TestCase(new[] { -3d, 10d, -7.5, 2d }, 1.5, -7.5, 10d)]
    [TestCase(new[] { -5d, -2d, -9d }, -16d, -9d, -2d)]
    [TestCase(new[] { 4d, 2d, 8d }, 14d, 2d, 8d)]
    [TestCase(new[] { -1d }, -1d, -1d, -1d)]
    [TestCase(new[] { 0.1, 0.2 }, 0.30000000000000004, 0.1, 0.2)]
    public void Add_Values_TracksSumMinAndMax(double[] values, double sum, double min, double max)
    {
        var accumulator = new RollupAccumulator();

        for (var i = 0; i < values.Length; i++)
        {
            accumulator.Add(values[i], 1_000 + i);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(accumulator.Sum, Is.EqualTo(sum));
            Assert.That(accumulator.Min, Is.EqualTo(min));
            Assert.That(accumulator.Max, Is.EqualTo(max));
            Assert.That(accumulator.ValueCount, Is.EqualTo(values.Length));
        }
    }

    [Test]
    public void Add_OutOfOrderEvents_LatestIsByEventTime()
    {
        var accumulator = new RollupAccumulator();

        accumulator.Add(1, 3_000);
        accumulator.Add(2, 1_000);
        accumulator.Add(3, 2_000);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(accumulator.Latest, Is.EqualTo(1));
            Assert.That(accumulator.LatestTimeMs, Is.EqualTo(3_000));
        }
    }

    [Test]
    public void Add_LaterEventArrivesLast_BecomesLatest()
    {
        var accumulator = new RollupAccumulator();

        accumulator.Add(1, 1_000);
        accumulator.Add(-4, 5_000);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(accumulator.Latest, Is.EqualTo(-4));
            Assert.That(accumulator.LatestTimeMs, Is.EqualTo(5_000));
        }
    }

    [Test]
    public void Add_SameEventTime_KeepsLaterArrival()
    {
        var accumulator = new RollupAccumulator();

        accumulator.Add(1, 2_000);
        accumulator.Add(2, 2_000);
        accumulator.Add(3, 1_000);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(accumulator.Latest, Is.EqualTo(2));
            Assert.That(accumulator.LatestTimeMs, Is.EqualTo(2_000));
        }
    }

    [Test]
    public void Add_LaterEventWithoutValue_DoesNotChangeLatest()
    {
        var accumulator = new RollupAccumulator();

        accumulator.Add(7, 1_000);
        accumulator.Add(null, 9_000);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(accumulator.Latest, Is.EqualTo(7));
            Assert.That(accumulator.LatestTimeMs, Is.EqualTo(1_000));
            Assert.That(accumulator.EventCount, Is.EqualTo(2));
        }
    }

    [Test]
    public void Add_EventBeforeUnixEpoch_BecomesLatestOfEmptyAccumulator()
    {
        var accumulator = new RollupAccumulator();

        accumulator.Add(3, -86_400_000);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(accumulator.Latest, Is.EqualTo(3));
            Assert.That(accumulator.LatestTimeMs, Is.EqualTo(-86_400_000));
        }
    }

    [Test]
    public void AddUnique_RepeatedValues_KeepsEachOnceCaseSensitive()
    {
        var accumulator = new RollupAccumulator();

        foreach (var value in new[] { "user-1", "user-2", "user-1", "USER-1", "", "user-2" })
        {
            accumulator.AddUnique(value);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(accumulator.UniqueValues, Is.EquivalentTo(Expected("user-1", "user-2", "USER-1", "")));
            Assert.That(accumulator.EventCount, Is.Zero);
        }
    }

    [Test]
    public void Restore_StateOfAnAccumulator_RoundTrips()
    {
        var original = new RollupAccumulator();
        original.Add(4, 2_000);
        original.Add(null, 3_000);
        original.Add(-2.5, 1_000);
        original.Add(10, 1_500);
        original.AddUnique("a");
        original.AddUnique("b");

        var restored = RollupAccumulator.Restore(
            original.EventCount, original.ValueCount, original.Sum, original.Min, original.Max, original.Latest,
            original.LatestTimeMs, original.LastEventMs, original.UniqueValues);

        AssertSameState(restored, original);
    }

    [Test]
    public void Restore_ThenAdd_ContinuesAsIfNeverStored()
    {
        var original = new RollupAccumulator();
        original.Add(4, 2_000);
        original.Add(-1, 1_000);
        original.AddUnique("a");
        var restored = RollupAccumulator.Restore(
            original.EventCount, original.ValueCount, original.Sum, original.Min, original.Max, original.Latest,
            original.LatestTimeMs, original.LastEventMs, [.. original.UniqueValues]);

        foreach (var accumulator in new[] { original, restored })
        {
            accumulator.Add(-3, 2_000);
            accumulator.Add(null, 5_000);
            accumulator.Add(20, 1_500);
            accumulator.AddUnique("b");
            accumulator.AddUnique("a");
        }

        using (Assert.EnterMultipleScope())
        {
            AssertSameState(restored, original);
            Assert.That(restored.Latest, Is.EqualTo(-3));
            Assert.That(restored.LastEventMs, Is.EqualTo(5_000));
            Assert.That(restored.Min, Is.EqualTo(-3));
            Assert.That(restored.Max, Is.EqualTo(20));
        }
    }

    [Test]
    public void Restore_EmptyState_BehavesLikeNew()
    {
        var restored = RollupAccumulator.Restore(0, 0, 0, 0, 0, 0, long.MinValue, long.MinValue, []);

        restored.Add(-5, -1_000);
        restored.Add(-7, -2_000);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(restored.Min, Is.EqualTo(-7));
            Assert.That(restored.Max, Is.EqualTo(-5));
            Assert.That(restored.Latest, Is.EqualTo(-5));
            Assert.That(restored.Sum, Is.EqualTo(-12));
            Assert.That(restored.LastEventMs, Is.EqualTo(-1_000));
        }
    }

    [Test]
    public void Restore_UniqueValues_AreCopied()
    {
        var source = new List<string> { "a" };

        var restored = RollupAccumulator.Restore(1, 0, 0, 0, 0, 0, long.MinValue, 0, source);
        source.Add("b");

        Assert.That(restored.UniqueValues, Is.EquivalentTo(Expected("a")));
    }

    private static string[] Expected(params string[] values) => values;

    private static void AssertSameState(RollupAccumulator actual, RollupAccumulator expected)
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(actual.EventCount, Is.EqualTo(expected.EventCount));
            Assert.That(actual.ValueCount, Is.EqualTo(expected.ValueCount));
            Assert.That(actual.Sum, Is.EqualTo(expected.Sum));
            Assert.That(actual.Min, Is.EqualTo(expected.Min));
            Assert.That(actual.Max, Is.EqualTo(expected.Max));
            Assert.That(actual.Latest, Is.EqualTo(expected.Latest));
            Assert.That(actual.LatestTimeMs, Is.EqualTo(expected.LatestTimeMs));
            Assert.That(actual.LastEventMs, Is.EqualTo(expected.LastEventMs));
            Assert.That(actual.UniqueValues, Is.EquivalentTo(expected.UniqueValues));
        }
    }
}
