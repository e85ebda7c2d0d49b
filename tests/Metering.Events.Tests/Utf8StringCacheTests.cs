using System.Text;

namespace Metering.Events.Tests;

public sealed class Utf8StringCacheTests
{
    [Test]
    public void Get_SameBytesAgain_ReturnsTheSameInstance()
    {
        var cache = new Utf8StringCache();

        var first = cache.Get("acct-00042"u8);
        var second = cache.Get(Encoding.UTF8.GetBytes("acct-00042"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Is.EqualTo("acct-00042"));
            Assert.That(second, Is.SameAs(first));
        }
    }

    [Test]
    public void Get_ValuesSharingOneSlot_AreEachReturnedRight()
    {
        // One slot: every new value takes the place of the one before.
        var cache = new Utf8StringCache(1);
        string[] values = ["user-1", "user-2", "", "é€😀", "user-1", new string('x', 100)];

        var read = values.Select(v => cache.Get(Encoding.UTF8.GetBytes(v))).ToList();

        Assert.That(read, Is.EqualTo(values));
    }

    [Test]
    public void Get_NotUtf8_IsNullForTheCallerToReport()
    {
        var cache = new Utf8StringCache();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(cache.Get([0x61, 0xC3]), Is.Null, "truncated sequence");
            Assert.That(cache.Get([0xED, 0xA0, 0x80]), Is.Null, "encoded surrogate");
        }
    }

    [Test]
    public void Get_LongerThanTheLimit_IsNull()
    {
        var cache = new Utf8StringCache();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(cache.Get(Encoding.UTF8.GetBytes(new string('a', Utf8StringCache.MaxLength))), Has.Length.EqualTo(Utf8StringCache.MaxLength));
            Assert.That(cache.Get(Encoding.UTF8.GetBytes(new string('a', Utf8StringCache.MaxLength + 1))), Is.Null);
        }
    }

    [TestCase(0)]
    [TestCase(-1)]
    public void New_CapacityBelowOne_Throws(int capacity) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new Utf8StringCache(capacity));
}
