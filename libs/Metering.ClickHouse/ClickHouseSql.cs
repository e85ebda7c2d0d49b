using System.Globalization;
using System.Text;

namespace Metering.ClickHouse;

/// <summary>
/// The only way values and names get into SQL text. ClickHouse 18.16 has no query parameters
/// (DESIGN.md §3), so every value goes through <see cref="Literal(string)"/> (or a typed overload) and every
/// name through <see cref="Identifier"/>, which accepts only <c>^[A-Za-z_][A-Za-z0-9_]*$</c>.
/// </summary>
public static class ClickHouseSql
{
    /// <summary>
    /// A single-quoted ClickHouse string literal of <paramref name="value"/>: backslash and quote are escaped,
    /// control characters (NUL included) and DEL become <c>\xHH</c>; everything else is kept as UTF-8.
    /// </summary>
    /// <exception cref="ArgumentException">The string has an unpaired surrogate (it cannot be sent as UTF-8).</exception>
    public static string Literal(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var builder = new StringBuilder(value.Length + 8);
        builder.Append('\'');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case '\\':
                    builder.Append(@"\\");
                    break;
                case '\'':
                    builder.Append(@"\'");
                    break;
                case < ' ' or '\x7f':
                    builder.Append(@"\x").Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
                    break;
                case var _ when char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]):
                    builder.Append(c).Append(value[++i]);
                    break;
                case var _ when char.IsSurrogate(c):
                    throw new ArgumentException($"The string has an unpaired surrogate at index {i}.", nameof(value));
                default:
                    builder.Append(c);
                    break;
            }
        }

        return builder.Append('\'').ToString();
    }

    /// <summary>
    /// A <c>DateTime</c> expression for the instant <paramref name="value"/> in UTC, e.g.
    /// <c>toDateTime('2024-01-02 03:04:05', 'UTC')</c>. ClickHouse <c>DateTime</c> holds whole seconds, so
    /// the fraction of a second is dropped.
    /// </summary>
    public static string Literal(DateTimeOffset value) =>
        "toDateTime('" + value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + "', 'UTC')";

    public static string Literal(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Literal(ulong value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Literal(int value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Literal(bool value) => value ? "1" : "0";

    /// <summary>A round-trippable <c>Float64</c> literal; NaN and infinities become <c>nan</c>, <c>inf</c>, <c>-inf</c>.</summary>
    public static string Literal(double value) => value switch
    {
        double.NaN => "nan",
        double.PositiveInfinity => "inf",
        double.NegativeInfinity => "-inf",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>An <c>Array(String)</c> literal, e.g. <c>['a', 'b']</c>; use it with <c>has(array, x)</c> or <c>IN</c>.</summary>
    public static string Literal(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return "[" + string.Join(", ", values.Select(Literal)) + "]";
    }

    /// <summary>
    /// Returns <paramref name="name"/> unchanged when it is a plain identifier (<c>^[A-Za-z_][A-Za-z0-9_]*$</c>,
    /// at most 128 characters), so it can be put into SQL as a database, table or column name.
    /// </summary>
    /// <exception cref="ArgumentException">Anything else: names are never quoted or escaped, only whitelisted.</exception>
    public static string Identifier(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!IsIdentifier(name))
        {
            throw new ArgumentException(
                $"'{Truncate(name)}' is not a valid ClickHouse identifier: it must match ^[A-Za-z_][A-Za-z0-9_]*$.", nameof(name));
        }

        return name;
    }

    /// <summary>Whether <paramref name="name"/> matches <c>^[A-Za-z_][A-Za-z0-9_]*$</c> (at most 128 characters).</summary>
    public static bool IsIdentifier(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 128 || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    private static string Truncate(string name)
    {
        var printable = new string([.. name.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);
        return name.Length > 64 ? printable + "…" : printable;
    }
}
