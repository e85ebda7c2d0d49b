using System.Text.Json;
using System.Text.RegularExpressions;

namespace Metering.Events.Meters;

/// <summary>The configured meters (<c>schemas/meters.json</c>), checked as a whole when loaded.</summary>
public sealed partial class MeterCatalog
{
    /// <summary>Group-by names that are always dimensions and so cannot be a meter's own group-by.</summary>
    public static readonly IReadOnlySet<string> ReservedDimensions = new HashSet<string>(StringComparer.Ordinal)
    {
        "account", "team", "subject",
    };

    private readonly Dictionary<string, MeterDefinition> _byName;
    private readonly Dictionary<string, MeterDefinition[]> _byEventType;

    public MeterCatalog(IReadOnlyList<MeterDefinition> meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        Meters = meters;
        _byName = meters.ToDictionary(m => m.Name, StringComparer.Ordinal);
        _byEventType = meters.GroupBy(m => m.EventType, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
    }

    public IReadOnlyList<MeterDefinition> Meters { get; }

    public MeterDefinition? Find(string name) => _byName.GetValueOrDefault(name);

    /// <summary>The meters that count events of <paramref name="eventType"/>.</summary>
    public IReadOnlyList<MeterDefinition> ForEventType(string eventType) =>
        _byEventType.TryGetValue(eventType, out var meters) ? meters : [];

    /// <summary>Loads a meter file.</summary>
    /// <exception cref="MeterCatalogException">The file is missing or any meter in it is invalid; the message lists every problem.</exception>
    public static MeterCatalog Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new MeterCatalogException($"Meter file '{Path.GetFullPath(path)}' not found (configuration key Meters).");
        }

        try
        {
            return Parse(File.ReadAllText(path), path);
        }
        catch (JsonException ex)
        {
            throw new MeterCatalogException($"Meter file '{path}' is not valid JSON: {ex.Message}");
        }
    }

    /// <summary>Parses meter definitions from JSON text; <paramref name="origin"/> names it in errors.</summary>
    public static MeterCatalog Parse(string json, string origin = "meters")
    {
        using var document = JsonDocument.Parse(json);
        var errors = new List<string>();
        var meters = new List<MeterDefinition>();
        if (document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("meters", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            throw new MeterCatalogException($"{origin}: expected an object with a \"meters\" array.");
        }

        var index = 0;
        foreach (var element in list.EnumerateArray())
        {
            if (ParseMeter(element, $"{origin}: meters[{index++}]", errors) is { } meter)
            {
                if (meters.Any(m => m.Name == meter.Name))
                {
                    errors.Add($"{origin}: meter name '{meter.Name}' is defined twice.");
                }

                meters.Add(meter);
            }
        }

        if (errors.Count > 0)
        {
            throw new MeterCatalogException(string.Join(Environment.NewLine, errors));
        }

        return new MeterCatalog(meters);
    }

    private static MeterDefinition? ParseMeter(JsonElement element, string at, List<string> errors)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{at}: a meter must be a JSON object.");
            return null;
        }

        string? Text(string name) =>
            element.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;

        var before = errors.Count;
        var name = Text("name");
        if (name is null || !NamePattern().IsMatch(name))
        {
            errors.Add($"{at}: name must be {NameRule} (got {name ?? "nothing"}).");
        }

        at = name is null ? at : $"{at} '{name}'";
        var eventType = Text("eventType");
        if (string.IsNullOrEmpty(eventType))
        {
            errors.Add($"{at}: eventType is required.");
        }

        var aggregationText = Text("aggregation");
        Aggregation? aggregation = aggregationText?.ToUpperInvariant() switch
        {
            "SUM" => Aggregation.Sum,
            "COUNT" => Aggregation.Count,
            "AVG" => Aggregation.Avg,
            "MAX" => Aggregation.Max,
            "MIN" => Aggregation.Min,
            "LATEST" => Aggregation.Latest,
            "UNIQUE_COUNT" => Aggregation.UniqueCount,
            _ => null,
        };
        if (aggregation is null)
        {
            errors.Add($"{at}: aggregation must be one of SUM, COUNT, AVG, MAX, MIN, LATEST, UNIQUE_COUNT (got {aggregationText ?? "nothing"}).");
        }

        JsonPath? valueProperty = null;
        if (Text("valueProperty") is { } valueText)
        {
            valueProperty = JsonPath.TryParse(valueText, out var error);
            if (valueProperty is null)
            {
                errors.Add($"{at}: valueProperty {valueText}: {error}.");
            }
        }
        else if (aggregation is not null and not Aggregation.Count)
        {
            errors.Add($"{at}: valueProperty is required for {aggregationText}.");
        }

        var groupBy = new Dictionary<string, JsonPath>(StringComparer.Ordinal);
        if (element.TryGetProperty("groupBy", out var groups) && groups.ValueKind == JsonValueKind.Object)
        {
            foreach (var group in groups.EnumerateObject())
            {
                if (!NamePattern().IsMatch(group.Name) || ReservedDimensions.Contains(group.Name))
                {
                    errors.Add($"{at}: groupBy name '{group.Name}' must be {NameRule}, and not account, team or subject.");
                    continue;
                }

                var path = group.Value.ValueKind == JsonValueKind.String ? JsonPath.TryParse(group.Value.GetString()!, out var error) : null;
                if (path is null)
                {
                    errors.Add($"{at}: groupBy '{group.Name}' must be a path into data such as $.model.");
                    continue;
                }

                groupBy[group.Name] = path;
            }
        }

        var unit = Text("unit") ?? "1";
        return errors.Count == before
            ? new MeterDefinition(name!, eventType!, aggregation!.Value, valueProperty, groupBy, unit)
            : null;
    }

    private const string NameRule = "1 to 64 characters of a-z, 0-9 and _, starting with a letter";

    [GeneratedRegex(@"^[a-z][a-z0-9_]{0,63}\z")]
    private static partial Regex NamePattern();
}
