using Metering.Query.Subjects;

namespace Metering.Query.Tests;

public sealed class SubjectQueryTests
{
    [TestCase("2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z", 1)]
    [TestCase("2026-11-01T00:00:00Z", "2026-12-01T00:00:00.001Z", 2)]
    [TestCase("2026-10-31T23:00:00Z", "2026-11-01T01:00:00Z", 2)]
    [TestCase("2026-11-15T00:00:00Z", "2026-11-16T00:00:00Z", 1)]
    [TestCase("2026-12-31T00:00:00+01:00", "2027-01-01T00:00:00Z", 1)]
    [TestCase("2026-01-01T00:00:00Z", "2027-02-05T00:00:00Z", 14)]
    public void MonthsTouched_Range_CountsTheUtcCalendarMonthsOfItsInstants(string from, string to, int expected)
    {
        Assert.That(SubjectQuery.MonthsTouched(DateTimeOffset.Parse(from, System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.Parse(to, System.Globalization.CultureInfo.InvariantCulture)), Is.EqualTo(expected));
    }
}
