using System.Globalization;
using System.Text.Json;

namespace Metering.Events.Meters;

/// <summary>
/// The JSONPath subset meters use: <c>$.a.b</c> and <c>$["a b"]</c> member steps into <c>data</c>.
/// </summary>
public sealed class JsonPath
{
    private readonly string[] _steps;

    private JsonPath(string text, string[] steps)
    {
        Text = text;
        _steps = steps;
    }

    public string Text { get; }

    /// <summary>Parses <paramref name="text"/>, or says why it is not a supported path.</summary>
    public static JsonPath? TryParse(string text, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        error = null;
        if (!text.StartsWith('$'))
        {
            error = "must start with '$'";
            return null;
        }

        var steps = new List<string>();
        var i = 1;
        while (i < text.Length)
        {
            if (text[i] == '.')
            {
                var end = i + 1;
                while (end < text.Length && text[end] != '.' && text[end] != '[')
                {
                    end++;
                }

                if (end == i + 1)
                {
                    error = $"empty member name at position {i}";
                    return null;
                }

                steps.Add(text[(i + 1)..end]);
                i = end;
            }
            else if (text[i] == '[' && i + 1 < text.Length && text[i + 1] is '"' or '\'')
            {
                var quote = text[i + 1];
                var close = text.IndexOf(quote, i + 2);
                if (close < 0 || close + 1 >= text.Length || text[close + 1] != ']')
                {
                    error = $"unterminated [\"…\"] step at position {i}";
                    return null;
                }

                steps.Add(text[(i + 2)..close]);
                i = close + 2;
            }
            else
            {
                error = $"unexpected '{text[i]}' at position {i}: only .name and [\"name\"] steps are supported";
                return null;
            }
        }

        if (steps.Count == 0)
        {
            error = "must name a member of data, e.g. $.tokens";
            return null;
        }

        return new JsonPath(text, [.. steps]);
    }

    /// <summary>The element the path leads to in <paramref name="data"/>, if any.</summary>
    public bool TrySelect(JsonElement data, out JsonElement value)
    {
        value = data;
        foreach (var step in _steps)
        {
            if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(step, out value))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// A group-by value: strings as they are, numbers and booleans as their JSON text; missing, null,
    /// objects and arrays give the empty string.
    /// </summary>
    public string SelectText(JsonElement data) =>
        TrySelect(data, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString()!,
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
                _ => "",
            }
            : "";

    /// <summary>
    /// A meter value by DESIGN.md §6: a JSON number or a numeric string is a value; missing or null is
    /// no value; anything else (<c>"abc"</c>, <c>"NaN"</c>, an object) is an error.
    /// </summary>
    public MeterValue SelectValue(JsonElement data)
    {
        if (!TrySelect(data, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return MeterValue.Missing;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && double.IsFinite(number))
        {
            return MeterValue.Of(number);
        }

        if (value.ValueKind == JsonValueKind.String
            && double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed)
            && double.IsFinite(parsed))
        {
            return MeterValue.Of(parsed);
        }

        return MeterValue.Invalid($"{Text}: not a number ({Describe(value)})");
    }

    private static string Describe(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && value.GetString()!.Length <= 32 ? $"\"{value.GetString()}\"" : value.ValueKind.ToString().ToLowerInvariant();

    public override string ToString() => Text;
}
