using System.Security.Cryptography;
using System.Text;
using Metering.ClickHouse;

namespace Metering.Query.Accounts;

/// <summary>
/// The pseudonym reports show instead of a subject when its account's personal-data setting is off, in C# and in
/// ClickHouse SQL, so every report shows the same one: <c>"hash:"</c> + the first 32 characters of the lower-case
/// hex SHA-256 of the UTF-8 bytes of <c>hash_key + ":" + subject</c>. The key is the account's own
/// (<c>account_settings.hash_key</c>), so the same subject has another pseudonym in another account, and a
/// pseudonym cannot be reversed by hashing guessed names without it.
/// </summary>
public static class PersonalData
{
    public const string Prefix = "hash:";

    /// <summary>Hex characters of the digest kept (128 bits).</summary>
    public const int HexLength = 32;

    /// <summary>The pseudonym of <paramref name="subject"/> under <paramref name="hashKey"/>.</summary>
    public static string Hash(string hashKey, string subject)
    {
        ArgumentNullException.ThrowIfNull(hashKey);
        ArgumentNullException.ThrowIfNull(subject);
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(hashKey + ":" + subject));
        return Prefix + Convert.ToHexStringLower(digest)[..HexLength];
    }

    /// <summary>
    /// The subject column as reports over several accounts show it (a ClickHouse <c>String</c> expression over the columns
    /// <c>account</c> and <c>subject</c>): the pseudonym for the accounts of <paramref name="hidden"/>, the subject itself
    /// for the others and for events without a subject.
    /// </summary>
    internal static string ShownSql(IReadOnlyList<AccountSettings> hidden)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        if (hidden.Count == 0)
        {
            return "subject";
        }

        var accounts = ClickHouseSql.Literal(hidden.Select(h => h.Account));
        var key = $"transform(account, {accounts}, {ClickHouseSql.Literal(hidden.Select(h => h.HashKey))}, '')";
        return $"if(subject != '' AND has({accounts}, account), {HashSql(key, "subject")}, subject)";
    }

    /// <summary>
    /// The same pseudonym as a ClickHouse 18.16 expression (a <c>String</c>).
    /// </summary>
    /// <param name="hashKeyLiteral">The key as SQL: a <see cref="Metering.ClickHouse.ClickHouseSql.Literal(string)"/> or a column.</param>
    /// <param name="subjectColumn">The subject as SQL: a column name (or another String expression built from whitelisted names).</param>
    public static string HashSql(string hashKeyLiteral, string subjectColumn)
    {
        ArgumentException.ThrowIfNullOrEmpty(hashKeyLiteral);
        ArgumentException.ThrowIfNullOrEmpty(subjectColumn);
        return $"concat('{Prefix}', substring(lower(hex(SHA256(concat({hashKeyLiteral}, ':', {subjectColumn})))), 1, {HexLength}))";
    }
}
