namespace Metering.Windowing.Tests;

public sealed class DedupeSetTests
{
    [Test]
    public void TryAdd_SameKeyTwice_SecondIsADuplicate()
    {
        var set = new DedupeSet();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(set.TryAdd("acct", "src", "a", 10), Is.True);
            Assert.That(set.TryAdd("acct", "src", "a", 10), Is.False);
            Assert.That(set.TryAdd("acct", "src", "a", 99), Is.False);
            Assert.That(set.Count, Is.EqualTo(1));
        }
    }

    [Test]
    public void TryAdd_ManyDistinctKeys_NoneIsADuplicate()
    {
        var set = new DedupeSet();

        var added = Enumerable.Range(0, 100_000).Count(i => set.TryAdd("acct", "src", "key-" + i, i));

        Assert.That(added, Is.EqualTo(100_000));
    }

    [Test]
    public void EvictBefore_Horizon_ForgetsOnlyOlderKeys()
    {
        var set = new DedupeSet();
        set.TryAdd("acct", "src", "old", 100);
        set.TryAdd("acct", "src", "edge", 200);
        set.TryAdd("acct", "src", "new", 300);

        var evicted = set.EvictBefore(200);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(evicted, Is.EqualTo(1));
            Assert.That(set.Contains("acct", "src", "old"), Is.False);
            Assert.That(set.Contains("acct", "src", "edge"), Is.True);
            Assert.That(set.Contains("acct", "src", "new"), Is.True);
            Assert.That(set.TryAdd("acct", "src", "old", 100), Is.True, "an evicted key is new again");
        }
    }

    [Test]
    public void TryAdd_PartsThatConcatenateAlike_AreDistinctKeys()
    {
        var set = new DedupeSet();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(set.TryAdd("ab", "c", "d", 0), Is.True);
            Assert.That(set.TryAdd("a", "bc", "d", 0), Is.True);
            Assert.That(set.TryAdd("a", "b", "cd", 0), Is.True);
            Assert.That(set.TryAdd("", "abc", "d", 0), Is.True);
            Assert.That(set.TryAdd("a", "b", "cd", 0), Is.False);
            Assert.That(set.TryAdd("grüße", "日本", "😀", 0), Is.True);
            Assert.That(set.Contains("grüße", "日本", "😀"), Is.True);
        }
    }

    [Test]
    public void TryAdd_KeysOverManyChunksWithEvictions_StayExact()
    {
        var set = new DedupeSet();
        var id = new string('x', 200);

        // About 70 MB of keys pass through, one hour of event time each 10,000; the last two hours are kept.
        for (var i = 0; i < 300_000; i++)
        {
            Assert.That(set.TryAdd("acct", "src", id + i, i / 10_000), Is.True);
            set.EvictBefore((i / 10_000) - 1);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(set.Count, Is.EqualTo(20_000));
            Assert.That(set.Contains("acct", "src", id + 279_999), Is.False);
            Assert.That(set.Contains("acct", "src", id + 280_000), Is.True);
            Assert.That(set.TryAdd("acct", "src", id + 299_999, 0), Is.False);
            Assert.That(set.TryAdd("acct", "src", id + 1, 0), Is.True, "evicted long ago");
        }
    }

    [Test]
    public void TryAdd_UnpairedSurrogate_Throws()
    {
        var set = new DedupeSet();

        Assert.That(() => set.TryAdd("a", "b", "\ud800", 0), Throws.InstanceOf<ArgumentException>());
    }

    [Test]
    public void EvictBefore_EverythingOld_MemoryReturnsToZero()
    {
        var set = new DedupeSet();
        for (var i = 0; i < 1_000; i++)
        {
            set.TryAdd("acct", "src", "k" + i, i);
        }

        set.EvictBefore(long.MaxValue);

        Assert.That(set.Count, Is.Zero);
    }
}
