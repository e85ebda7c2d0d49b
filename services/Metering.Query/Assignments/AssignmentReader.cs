using System.Text.Json;
using Metering.Events;

namespace Metering.Query.Assignments;

/// <summary>
/// Turns one element of a <c>POST /v1/directory/assignments</c> body into an <see cref="Assignment"/> or the reason
/// it is invalid. Pure: no clock, no I/O.
/// </summary>
/// <remarks>
/// Unknown properties are rejected rather than ignored: a misspelt optional property (<c>valid_to</c>,
/// <c>groupName</c>) would otherwise silently write an open-ended or group-less assignment, and attribution
/// cannot be corrected after the fact (DESIGN.md §5.3). Names are matched exactly (camelCase, API.md).
/// </remarks>
internal static class AssignmentReader
{
    /// <summary>The longest <c>account</c>, <c>subject</c>, <c>team</c> and <c>group</c>, as for event attributes.</summary>
    public const int MaxLength = EventLimits.MaxAttributeLength;

    /// <summary>The team the aggregator gives usage that has no assignment (DESIGN.md §5.3); not assignable.</summary>
    public const string UnassignedTeam = "unassigned";

    private const string Account = "account";
    private const string Subject = "subject";
    private const string Team = "team";
    private const string Group = "group";
    private const string ValidFrom = "validFrom";
    private const string ValidTo = "validTo";

    private static readonly string[] Names = [Account, Subject, Team, Group, ValidFrom, ValidTo];
    private static readonly string Allowed = string.Join(", ", Names);

    /// <returns>The assignment, or null with <paramref name="reason"/> saying why the item is invalid.</returns>
    public static Assignment? Read(JsonElement element, out string? reason)
    {
        reason = null;
        if (element.ValueKind != JsonValueKind.Object)
        {
            reason = $"assignment: must be a JSON object, not {JsonText.Describe(element.ValueKind)}";
            return null;
        }

        var values = new Dictionary<string, JsonElement>(Names.Length, StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (!TryGetName(property, out var name))
            {
                reason = "assignment: a property name is not valid UTF-8";
                return null;
            }

            if (!Names.Contains(name, StringComparer.Ordinal))
            {
                reason = $"{Printable(name)}: unknown property; the properties are {Allowed}";
                return null;
            }

            if (!values.TryAdd(name, property.Value))
            {
                reason = $"{name}: given more than once";
                return null;
            }
        }

        if (!TryRequiredText(values, Account, out var account, ref reason)
            || !TryRequiredText(values, Subject, out var subject, ref reason)
            || !TryRequiredText(values, Team, out var team, ref reason)
            || !TryOptionalText(values, Group, out var group, ref reason))
        {
            return null;
        }

        if (team == UnassignedTeam)
        {
            reason = $"team: '{UnassignedTeam}' is reserved for usage without an assignment";
            return null;
        }

        if (!TryRequiredText(values, ValidFrom, out var validFromText, ref reason)
            || !TryParseTime(ValidFrom, validFromText, out var validFrom, ref reason)
            || !TryOptionalText(values, ValidTo, out var validToText, ref reason))
        {
            return null;
        }

        DateTimeOffset? validTo = null;
        if (validToText.Length > 0)
        {
            if (!TryParseTime(ValidTo, validToText, out var to, ref reason))
            {
                return null;
            }

            if (to <= validFrom)
            {
                reason = "validTo: must be after validFrom";
                return null;
            }

            validTo = to;
        }

        return new Assignment(account, subject, team, group, validFrom, validTo);
    }

    /// <summary>Whether <paramref name="value"/> is a valid account, subject, team or group: 1–256 characters, printable.</summary>
    public static bool TryCheckText(string name, string value, out string? reason)
    {
        reason = value.Length switch
        {
            0 => $"{name}: must not be empty",
            > MaxLength => $"{name}: longer than {MaxLength} characters",
            _ => JsonText.IsPrintable(value) ? null : $"{name}: contains a control character or an unpaired surrogate",
        };
        return reason is null;
    }

    private static bool TryRequiredText(Dictionary<string, JsonElement> values, string name, out string value, ref string? reason)
    {
        if (!values.TryGetValue(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            value = "";
            reason = $"{name}: required";
            return false;
        }

        return TryText(element, name, out value, ref reason);
    }

    /// <summary>An absent or null optional property is the empty string.</summary>
    private static bool TryOptionalText(Dictionary<string, JsonElement> values, string name, out string value, ref string? reason)
    {
        value = "";
        return !values.TryGetValue(name, out var element) || element.ValueKind == JsonValueKind.Null
            || TryText(element, name, out value, ref reason);
    }

    private static bool TryText(JsonElement element, string name, out string value, ref string? reason)
    {
        value = "";
        if (element.ValueKind != JsonValueKind.String)
        {
            reason = $"{name}: must be a string, not {JsonText.Describe(element.ValueKind)}";
            return false;
        }

        try
        {
            value = element.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // JsonDocument leaves escaped unpaired surrogates ("\uD800") and bad UTF-8 to the decoding of the string.
            reason = $"{name}: contains a control character or an unpaired surrogate";
            return false;
        }

        return TryCheckText(name, value, out reason);
    }

    private static bool TryParseTime(string name, string text, out DateTimeOffset time, ref string? reason)
    {
        if (!CloudEventReader.TryParseRfc3339(text, out time))
        {
            reason = $"{name}: not an RFC 3339 timestamp with an offset (e.g. 2026-11-01T00:00:00Z)";
            return false;
        }

        // The table keeps Unix milliseconds; a finer instant would be stored as another one than was sent.
        if (time.UtcTicks % TimeSpan.TicksPerMillisecond != 0)
        {
            reason = $"{name}: more precise than a millisecond";
            return false;
        }

        return true;
    }

    /// <summary>The property's name, or false when it is not valid UTF-8 (JsonDocument leaves that to the decoding).</summary>
    internal static bool TryGetName(JsonProperty property, out string name)
    {
        try
        {
            name = property.Name;
            return true;
        }
        catch (InvalidOperationException)
        {
            name = "";
            return false;
        }
    }

    /// <summary>A name fit for a reason: at most 64 characters, control characters as '?'.</summary>
    internal static string Printable(string name)
    {
        var shown = new string([.. name.Take(64).Select(c => char.IsControl(c) || char.IsSurrogate(c) ? '?' : c)]);
        return name.Length > 64 ? shown + "…" : shown;
    }
}
