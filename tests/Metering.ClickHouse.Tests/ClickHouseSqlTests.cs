namespace Metering.ClickHouse.Tests;

[TestFixture]
public sealed class ClickHouseSqlTests
{
    [TestCase("", "''")]
    [TestCase("plain", "'plain'")]
    [TestCase("it's", @"'it\'s'")]
    [TestCase(@"back\slash", @"'back\\slash'")]
    [TestCase(@"\'", @"'\\\''")]
    [TestCase("a\nb", @"'a\x0Ab'")]
    [TestCase("tab\there", @"'tab\x09here'")]
    [TestCase("cr\r", @"'cr\x0D'")]
    [TestCase("nul\0x", @"'nul\x00x'")]
    [TestCase("del\u007f", @"'del\x7F'")]
    [TestCase("x' OR 1=1 --", @"'x\' OR 1=1 --'")]
    [TestCase("'; DROP TABLE usage_events; --", @"'\'; DROP TABLE usage_events; --'")]
    [TestCase("grüße 日本 😀", "'grüße 日本 😀'")]
    [TestCase("\"double\"", "'\"double\"'")]
    [TestCase("`tick`", "'`tick`'")]
    public void Literal_String_EscapesQuotesBackslashesAndControlCharacters(string value, string expected) =>
        Assert.That(ClickHouseSql.Literal(value), Is.EqualTo(expected));

    [Test]
    public void Literal_StringWithoutSpecialCharacters_OnlyAddsQuotes()
    {
        var literal = ClickHouseSql.Literal("abc");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(literal, Does.StartWith("'").And.EndWith("'"));
            Assert.That(literal[1..^1], Is.EqualTo("abc"));
        }
    }

    // Built at run time: attribute arguments cannot carry a lone surrogate (it becomes U+FFFD in metadata).
    [TestCase(0xd800, -1)]
    [TestCase('a', 0xdc00)]
    [TestCase(0xde00, 0xd83d)]
    public void Literal_UnpairedSurrogate_Throws(int first, int second)
    {
        var value = second < 0 ? $"{(char)first}" : $"{(char)first}{(char)second}";

        Assert.That(() => ClickHouseSql.Literal(value), Throws.ArgumentException.With.Message.Contains("unpaired surrogate"));
    }

    [Test]
    public void Literal_Null_Throws() =>
        Assert.That(() => ClickHouseSql.Literal((string)null!), Throws.ArgumentNullException);

    [Test]
    public void Literal_StringsArray_BuildsArrayLiteral() =>
        Assert.That(ClickHouseSql.Literal(["a", "b'c"]), Is.EqualTo(@"['a', 'b\'c']"));

    [Test]
    public void Literal_DateTimeOffset_FormatsUtcWithoutFraction() =>
        Assert.That(
            ClickHouseSql.Literal(new DateTimeOffset(2024, 3, 4, 7, 8, 9, 999, TimeSpan.FromHours(2))),
            Is.EqualTo("toDateTime('2024-03-04 05:08:09', 'UTC')"));

    [TestCase(0.1, "0.1")]
    [TestCase(-1.5e300, "-1.5E+300")]
    [TestCase(double.NaN, "nan")]
    [TestCase(double.PositiveInfinity, "inf")]
    [TestCase(double.NegativeInfinity, "-inf")]
    public void Literal_Double_IsInvariantAndRoundTrippable(double value, string expected) =>
        Assert.That(ClickHouseSql.Literal(value), Is.EqualTo(expected));

    [Test]
    public void Literal_Integers_AreInvariant()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ClickHouseSql.Literal(ulong.MaxValue), Is.EqualTo("18446744073709551615"));
            Assert.That(ClickHouseSql.Literal(long.MinValue), Is.EqualTo("-9223372036854775808"));
            Assert.That(ClickHouseSql.Literal(-5), Is.EqualTo("-5"));
            Assert.That(ClickHouseSql.Literal(true), Is.EqualTo("1"));
        }
    }

    [TestCase("usage_events")]
    [TestCase("_private")]
    [TestCase("Table1")]
    [TestCase("a")]
    public void Identifier_Valid_ReturnsName(string name) =>
        Assert.That(ClickHouseSql.Identifier(name), Is.EqualTo(name));

    [TestCase("")]
    [TestCase("1table")]
    [TestCase("usage-events")]
    [TestCase("db.table")]
    [TestCase("name with space")]
    [TestCase("x;DROP")]
    [TestCase("x--")]
    [TestCase("`quoted`")]
    [TestCase("\"quoted\"")]
    [TestCase("täble")]
    [TestCase("name\n")]
    public void Identifier_Invalid_Throws(string name) =>
        Assert.That(() => ClickHouseSql.Identifier(name), Throws.ArgumentException.With.Message.Contains("not a valid ClickHouse identifier"));

    [Test]
    public void Identifier_TooLong_Throws() =>
        Assert.That(() => ClickHouseSql.Identifier(new string('a', 129)), Throws.ArgumentException);
}
