namespace Metering.Windowing.Tests;

public sealed class WindowPolicyTests
{
    private static readonly WindowPolicy Hourly = new(TimeSpan.FromHours(1), TimeSpan.FromDays(2), TimeSpan.FromSeconds(5));
    private static readonly long Noon = DateTimeOffset.Parse("2026-11-01T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();

    [Test]
    public void StartOf_TimeInsideWindow_IsTheHour() =>
        Assert.That(Hourly.StartOf(Noon + 3_599_999), Is.EqualTo(Noon));

    [Test]
    public void IsFinal_WatermarkAtEndPlusLateness_IsFinalAndOneMillisecondBeforeIsNot()
    {
        var finalAt = Noon + TimeSpan.FromHours(1).Ticks / TimeSpan.TicksPerMillisecond + (long)TimeSpan.FromDays(2).TotalMilliseconds;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Hourly.FinalAt(Noon), Is.EqualTo(finalAt));
            Assert.That(Hourly.IsFinal(Noon, finalAt), Is.True);
            Assert.That(Hourly.IsFinal(Noon, finalAt - 1), Is.False);
            Assert.That(Hourly.IsFinal(Noon, long.MinValue), Is.False);
        }
    }

    [Test]
    public void WatermarkFor_EventTime_SubtractsOutOfOrderness() =>
        Assert.That(Hourly.WatermarkFor(Noon), Is.EqualTo(Noon - 5_000));

    [Test]
    public void EarliestOpenStart_Watermark_IsNoLaterThanTheOldestWindowStillOpen()
    {
        var watermark = Noon + 3_600_000 + (long)TimeSpan.FromDays(2).TotalMilliseconds + 1_800_000;
        var earliest = Hourly.EarliestOpenStart(watermark);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Hourly.IsFinal(Noon, watermark), Is.True);
            Assert.That(Hourly.IsFinal(Noon + 3_600_000, watermark), Is.False);
            Assert.That(earliest, Is.LessThanOrEqualTo(Noon + 3_600_000));
            Assert.That(Hourly.EarliestOpenStart(long.MinValue), Is.EqualTo(long.MinValue));
        }
    }

    [TestCase(7)]
    [TestCase(0)]
    public void Constructor_SizeThatDoesNotDivideADay_Throws(int minutes) =>
        Assert.That(() => new WindowPolicy(TimeSpan.FromMinutes(minutes), TimeSpan.Zero, TimeSpan.Zero), Throws.TypeOf<ArgumentOutOfRangeException>());
}
