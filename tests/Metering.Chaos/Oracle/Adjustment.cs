using System.Globalization;

namespace Metering.Chaos.Oracle;

/// <summary>A late event's adjustment for one meter, keyed by the event's (account, source, id).</summary>
internal sealed record Adjustment(
    string Meter, string Account, string Source, string Id, string Team, string Subject, string GroupBy, long WindowStartSeconds,
    bool HasValue, double Value)
{
    public (string Meter, string Account, string Source, string Id) Key => (Meter, Account, Source, Id);

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Meter} {Account} {Source}/{Id} team={Team} subject={(Subject.Length == 0 ? "-" : Subject)} [{GroupBy}] "
        + $"{Format.Time(WindowStartSeconds)} value={(HasValue ? Value.ToString("R", CultureInfo.InvariantCulture) : "none")}");
}
