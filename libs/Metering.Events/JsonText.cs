using System.Text.Json;

namespace Metering.Events;

/// <summary>The checks and wording that every reader of client JSON shares, so their reasons read alike.</summary>
public static class JsonText
{
    /// <summary>Whether <paramref name="value"/> has no control character and no unpaired surrogate.</summary>
    public static bool IsPrintable(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c))
            {
                return false;
            }

            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The kind of a JSON value with its article, for a reason: "an array", "a string", "null".</summary>
    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };
}
