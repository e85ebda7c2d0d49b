using System.Text.Json;

namespace Metering.Chaos.Oracle;

/// <summary>A canonical text for group-by values (names in ordinal order), so that stored JSON compares by content.</summary>
internal static class GroupByKey
{
    public static string Of(IEnumerable<KeyValuePair<string, string>> values) =>
        string.Join(", ", values.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value}"));

    /// <summary>Parses the <c>group_by</c> column (a JSON object of strings); an empty column is no group-by.</summary>
    public static string Parse(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return "";
        }

        using var document = JsonDocument.Parse(json);
        return Of(document.RootElement.EnumerateObject().Select(p => KeyValuePair.Create(
            p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText())));
    }
}
