namespace Metering.Events.Meters;

/// <summary>What an event holds for a meter's value: a number, nothing, or something invalid.</summary>
public readonly record struct MeterValue(MeterValueKind Kind, double Number, string? Error)
{
    public static MeterValue Missing => new(MeterValueKind.Missing, 0, null);

    public static MeterValue Of(double number) => new(MeterValueKind.Number, number, null);

    public static MeterValue Invalid(string error) => new(MeterValueKind.Invalid, 0, error);
}

public enum MeterValueKind
{
    Missing,
    Number,
    Invalid,
}
