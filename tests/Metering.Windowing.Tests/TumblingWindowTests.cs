using System.Globalization;

namespace Metering.Windowing.Tests;

public class TumblingWindowTests
{
    [TestCase("2026-11-01T12:34:56.789Z", 1, "2026-11-01T12:34:00Z")]
    [TestCase("2026-11-01T12:34:56.789Z", 5, "2026-11-01T12:30:00Z")]
    [TestCase("2026-11-01T12:34:56.789Z", 15, "2026-11-01T12:30:00Z")]
    [TestCase("2026-11-01T12:34:56.789Z", 60, "2026-11-01T12:00:00Z")]
    [TestCase("2026-11-01T12:34:56.789Z", 1440, "2026-11-01T00:00:00Z")]
    [TestCase("2026-11-01T12:59:59.9999999Z", 15, "2026-11-01T12:45:00Z")]
    [TestCase("2026-11-01T23:59:59.9999999Z", 1440, "2026-11-01T00:00:00Z")]
    [TestCase("2026-11-01T13:47:00Z", 120, "2026-11-01T12:00:00Z")]
    [TestCase("2026-11-01T13:47:00Z", 360, "2026-11-01T12:00:00Z")]
    [TestCase("2028-02-29T10:00:00Z", 1440, "2028-02-29T00:00:00Z")]
    [TestCase("1969-12-31T23:59:59Z", 60, "1969-12-31T23:00:00Z")]
    public void StartOf_TimeInsideWindow_ReturnsWindowStart(string time, int minutes, string expected)
    {
        var start = TumblingWindow.StartOf(Parse(time), TimeSpan.FromMinutes(minutes));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(start, Is.EqualTo(Parse(expected)));
            Assert.That(start.Offset, Is.EqualTo(TimeSpan.Zero));
        }
    }

    [Test]
    public void StartOf_TimeOnWindowEdge_StartsThatWindow([Values(1, 5, 15, 60, 1440)] int minutes)
    {
        var size = TimeSpan.FromMinutes(minutes);
        var edge = Parse("2026-11-01T00:00:00Z") + (size * 3);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(TumblingWindow.StartOf(edge, size), Is.EqualTo(edge));
            Assert.That(TumblingWindow.StartOf(edge.AddTicks(-1), size), Is.EqualTo(edge - size));
            Assert.That(TumblingWindow.StartOf(edge + size - TimeSpan.FromTicks(1), size), Is.EqualTo(edge));
            Assert.That(TumblingWindow.StartOf(edge + size, size), Is.EqualTo(edge + size));
        }
    }

    [TestCase("2026-11-01T01:30:00+02:00", 1440, "2026-10-31T00:00:00Z")]
    [TestCase("2026-11-01T22:00:00-05:00", 1440, "2026-11-02T00:00:00Z")]
    [TestCase("2026-11-01T12:10:00+05:30", 60, "2026-11-01T06:00:00Z")]
    [TestCase("2026-11-01T12:10:00+05:45", 15, "2026-11-01T06:15:00Z")]
    [TestCase("2026-11-01T00:00:00+01:00", 1440, "2026-10-31T00:00:00Z")]
    public void StartOf_TimeWithOffset_UsesUtcWindows(string time, int minutes, string expected)
    {
        var start = TumblingWindow.StartOf(Parse(time), TimeSpan.FromMinutes(minutes));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(start, Is.EqualTo(Parse(expected)));
            Assert.That(start.Offset, Is.EqualTo(TimeSpan.Zero));
        }
    }

    [Test]
    public void StartOf_SameInstantInDifferentOffsets_GivesSameWindow([Values(-12, -5, 0, 2, 14)] int offsetHours)
    {
        var utc = Parse("2026-11-01T03:17:42Z");
        var local = utc.ToOffset(TimeSpan.FromHours(offsetHours));

        Assert.That(TumblingWindow.StartOf(local, TimeSpan.FromMinutes(5)), Is.EqualTo(Parse("2026-11-01T03:15:00Z")));
    }

    [Test]
    public void StartOf_AnySize_IsAlignedToUnixEpoch([Values(1, 30, 60, 900, 3600, 7200, 21600, 86400)] int seconds)
    {
        var size = TimeSpan.FromSeconds(seconds);

        var start = TumblingWindow.StartOf(Parse("2026-11-01T17:43:21.5Z"), size);

        Assert.That((start - DateTimeOffset.UnixEpoch).Ticks % size.Ticks, Is.Zero);
    }

    [TestCase(7 * 60)]
    [TestCase(7)]
    [TestCase(0)]
    [TestCase(-60)]
    [TestCase(-86400)]
    [TestCase(25 * 3600)]
    [TestCase(2 * 86400)]
    public void StartOf_SizeNotDividingADay_Throws(int seconds)
    {
        Assert.That(
            () => TumblingWindow.StartOf(Parse("2026-11-01T12:00:00Z"), TimeSpan.FromSeconds(seconds)),
            Throws.TypeOf<ArgumentOutOfRangeException>().With.Property(nameof(ArgumentException.ParamName)).EqualTo("size"));
    }

    [Test]
    public void StartOf_NegativeTick_Throws()
    {
        Assert.That(
            () => TumblingWindow.StartOf(Parse("2026-11-01T12:00:00Z"), TimeSpan.FromTicks(-1)),
            Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [TestCase("01:00:00", null)]
    [TestCase("00:00:01", null)]
    [TestCase("00:07:00", "W 00:07:00 must divide a day (e.g. 00:01:00, 00:05:00, 00:15:00, 01:00:00).")]
    [TestCase("00:00:00", "W 00:00:00 must divide a day (e.g. 00:01:00, 00:05:00, 00:15:00, 01:00:00).")]
    [TestCase("00:00:00.0000001", "W 00:00:00.0000001 must divide a day (e.g. 00:01:00, 00:05:00, 00:15:00, 01:00:00).")]
    public void SizeError_Size_IsNullOnlyForSizesThatDivideADay(string size, string? expected) =>
        Assert.That(TumblingWindow.SizeError(TimeSpan.Parse(size, CultureInfo.InvariantCulture), "W"), Is.EqualTo(expected));

    private static DateTimeOffset Parse(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);
}
