using System.Text.Json;
using Metering.Events.Meters;

namespace Metering.Events.Tests;

public class JsonPathTests
{
    [TestCase("$.a")]
    [TestCase("$.a.b")]
    [TestCase("$.duration_seconds")]
    [TestCase("$[\"a b\"]")]
    [TestCase("$['x']")]
    [TestCase("$.a[\"b.c\"].d")]
    public void TryParse_SupportedPath_Parses(string text)
    {
        var path = JsonPath.TryParse(text, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error, Is.Null);
            Assert.That(path, Is.Not.Null);
            Assert.That(path?.Text, Is.EqualTo(text));
            Assert.That(path?.ToString(), Is.EqualTo(text));
        }
    }

    [TestCase("a", "must start with '$'")]
    [TestCase("", "must start with '$'")]
    [TestCase(".a", "must start with '$'")]
    [TestCase("$", "must name a member of data, e.g. $.tokens")]
    [TestCase("$.", "empty member name at position 1")]
    [TestCase("$..a", "empty member name at position 1")]
    [TestCase("$.a.", "empty member name at position 3")]
    [TestCase("$[0]", "unexpected '[' at position 1: only .name and [\"name\"] steps are supported")]
    [TestCase("$[*]", "unexpected '[' at position 1: only .name and [\"name\"] steps are supported")]
    [TestCase("$a", "unexpected 'a' at position 1: only .name and [\"name\"] steps are supported")]
    [TestCase("$[\"unterminated", "unterminated [\"…\"] step at position 1")]
    [TestCase("$['x'", "unterminated [\"…\"] step at position 1")]
    [TestCase("$[\"x']", "unterminated [\"…\"] step at position 1")]
    [TestCase("$.a[\"b\"x", "unterminated [\"…\"] step at position 3")]
    public void TryParse_UnsupportedPath_IsRejectedWithError(string text, string expected)
    {
        var path = JsonPath.TryParse(text, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(path, Is.Null);
            Assert.That(error, Is.EqualTo(expected));
        }
    }

    [TestCase("$.a", """{"a": 1}""")]
    [TestCase("$.a.b", """{"a": {"b": 1}}""")]
    [TestCase("$[\"a b\"]", """{"a b": 1, "a": {"b": 2}}""")]
    [TestCase("$['x']", """{"x": 1}""")]
    [TestCase("$.a[\"b.c\"]", """{"a": {"b.c": 1, "b": {"c": 2}}}""")]
    [TestCase("$['a'].b", """{"a": {"b": 1}}""")]
    public void SelectValue_ParsedPath_FollowsEveryStep(string text, string data)
    {
        var value = Path(text).SelectValue(Parse(data));

        Assert.That(value, Is.EqualTo(MeterValue.Of(1)));
    }

    [TestCase("100", 100d)]
    [TestCase("-2.5", -2.5)]
    [TestCase("0", 0d)]
    [TestCase("0.4567890123456789", 0.4567890123456789)]
    [TestCase("1e3", 1000d)]
    [TestCase("12345678.123456789", 12345678.123456789)]
    [TestCase("\"100\"", 100d)]
    [TestCase("\"-2.5\"", -2.5)]
    [TestCase("\"0.4567890123456789\"", 0.4567890123456789)]
    [TestCase("\"1e3\"", 1000d)]
    [TestCase("\"1E-3\"", 0.001)]
    public void SelectValue_NumberOrNumericString_IsValueWithFullPrecision(string raw, double expected)
    {
        var value = Path("$.v").SelectValue(Parse($$"""{"v": {{raw}}}"""));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(value.Kind, Is.EqualTo(MeterValueKind.Number));
            Assert.That(value.Number, Is.EqualTo(expected));
            Assert.That(value.Error, Is.Null);
        }
    }

    [TestCase("{}")]
    [TestCase("""{"v": null}""")]
    [TestCase("""{"w": 1}""")]
    [TestCase("""{"V": 1}""")]
    public void SelectValue_MissingOrNull_IsMissing(string data)
    {
        Assert.That(Path("$.v").SelectValue(Parse(data)), Is.EqualTo(MeterValue.Missing));
    }

    [TestCase("""{"a": 5}""")]
    [TestCase("""{"a": "b"}""")]
    [TestCase("""{"a": [{"b": 1}]}""")]
    [TestCase("""{"a": null}""")]
    [TestCase("""[{"a": {"b": 1}}]""")]
    public void SelectValue_StepIntoNonObject_IsMissing(string data)
    {
        Assert.That(Path("$.a.b").SelectValue(Parse(data)), Is.EqualTo(MeterValue.Missing));
    }

    [TestCase("\"abc\"", "$.v: not a number (\"abc\")")]
    [TestCase("\"NaN\"", "$.v: not a number (\"NaN\")")]
    [TestCase("\"Infinity\"", "$.v: not a number (\"Infinity\")")]
    [TestCase("\"-Infinity\"", "$.v: not a number (\"-Infinity\")")]
    [TestCase("\"\"", "$.v: not a number (\"\")")]
    [TestCase("\"1,5\"", "$.v: not a number (\"1,5\")")]
    [TestCase("\"1e400\"", "$.v: not a number (\"1e400\")")]
    [TestCase("1e400", "$.v: not a number (number)")]
    [TestCase("{}", "$.v: not a number (object)")]
    [TestCase("""{"amount": 5}""", "$.v: not a number (object)")]
    [TestCase("[5]", "$.v: not a number (array)")]
    [TestCase("true", "$.v: not a number (true)")]
    [TestCase("false", "$.v: not a number (false)")]
    public void SelectValue_NotANumber_IsInvalidWithErrorNamingPath(string raw, string expected)
    {
        var value = Path("$.v").SelectValue(Parse($$"""{"v": {{raw}}}"""));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(value.Kind, Is.EqualTo(MeterValueKind.Invalid));
            Assert.That(value.Error, Is.EqualTo(expected));
        }
    }

    [Test]
    public void SelectValue_LongString_IsDescribedByKind()
    {
        var value = Path("$.usage.tokens").SelectValue(Parse($$$"""{"usage": {"tokens": "{{{new string('x', 40)}}}"}}"""));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(value.Kind, Is.EqualTo(MeterValueKind.Invalid));
            Assert.That(value.Error, Is.EqualTo("$.usage.tokens: not a number (string)"));
        }
    }

    [TestCase("\"gpt-4\"", "gpt-4")]
    [TestCase("\"\"", "")]
    [TestCase("\"日本 😀\"", "日本 😀")]
    [TestCase("42", "42")]
    [TestCase("1.50", "1.50")]
    [TestCase("-1e3", "-1e3")]
    [TestCase("true", "true")]
    [TestCase("false", "false")]
    [TestCase("null", "")]
    [TestCase("{\"a\":1}", "")]
    [TestCase("[1]", "")]
    public void SelectText_Value_GivesGroupByText(string raw, string expected)
    {
        Assert.That(Path("$.g").SelectText(Parse($$"""{"g": {{raw}}}""")), Is.EqualTo(expected));
    }

    [TestCase("{}")]
    [TestCase("""{"h": "x"}""")]
    [TestCase("[]")]
    [TestCase("\"g\"")]
    public void SelectText_Missing_GivesEmptyString(string data)
    {
        Assert.That(Path("$.g").SelectText(Parse(data)), Is.Empty);
    }

    [Test]
    public void TrySelect_PresentAndMissing_ReportsWhetherFound()
    {
        var path = Path("$.a.b");

        var found = path.TrySelect(Parse("""{"a": {"b": [1, 2]}}"""), out var value);
        var missing = path.TrySelect(Parse("""{"a": {}}"""), out _);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(found, Is.True);
            Assert.That(value.GetArrayLength(), Is.EqualTo(2));
            Assert.That(missing, Is.False);
        }
    }

    [Test]
    public void TryParse_Null_Throws()
    {
        Assert.That(() => JsonPath.TryParse(null!, out _), Throws.ArgumentNullException);
    }

    private static JsonPath Path(string text) =>
        JsonPath.TryParse(text, out var error) ?? throw new AssertionException($"{text}: {error}");

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
