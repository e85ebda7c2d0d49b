namespace Metering.Windowing.Tests;

public sealed class DedupeSetTests
{
    [Test]
    public void TryAdd_SameKeyTwice_SecondIsADuplicate()
    {
        var set = new DedupeSet();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(set.TryAdd("a", 10), Is.True);
            Assert.That(set.TryAdd("a", 10), Is.False);
            Assert.That(set.TryAdd("a", 99), Is.False);
            Assert.That(set.Count, Is.EqualTo(1));
        }
    }

    [Test]
    public void TryAdd_ManyDistinctKeys_NoneIsADuplicate()
    {
        var set = new DedupeSet();

        var added = Enumerable.Range(0, 100_000).Count(i => set.TryAdd("key-" + i, i));

        Assert.That(added, Is.EqualTo(100_000));
    }

    [Test]
    public void EvictBefore_Horizon_ForgetsOnlyOlderKeys()
    {
        var set = new DedupeSet();
        set.TryAdd("old", 100);
        set.TryAdd("edge", 200);
        set.TryAdd("new", 300);

        var evicted = set.EvictBefore(200);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(evicted, Is.EqualTo(1));
            Assert.That(set.Contains("old"), Is.False);
            Assert.That(set.Contains("edge"), Is.True);
            Assert.That(set.Contains("new"), Is.True);
            Assert.That(set.TryAdd("old", 100), Is.True, "an evicted key is new again");
        }
    }

    [Test]
    public void EvictBefore_EverythingOld_MemoryReturnsToZero()
    {
        var set = new DedupeSet();
        for (var i = 0; i < 1_000; i++)
        {
            set.TryAdd("k" + i, i);
        }

        set.EvictBefore(long.MaxValue);

        Assert.That(set.Count, Is.Zero);
    }
}
