using System.Security.Cryptography;
using Metering.ClickHouse;
using static Metering.ClickHouse.ClickHouseSql;

namespace Metering.Query.Accounts;

/// <summary>
/// Reads and writes the <c>account_settings</c> table. Values reach the SQL only through
/// <see cref="ClickHouseSql.Literal(string)"/>.
/// </summary>
internal sealed class AccountSettingsStore(ClickHouseClient clickHouse, WriteVersions versions)
{
    private const string Table = "account_settings";

    /// <summary>
    /// The settings of every account in <paramref name="accounts"/>, in one query; an account without a row has the
    /// <see cref="AccountSettings.Default"/> ones. For reports over several accounts, which mask each account's subjects
    /// with its own key.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, AccountSettings>> LoadAsync(
        IReadOnlyCollection<string> accounts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        var settings = new Dictionary<string, AccountSettings>(StringComparer.Ordinal);
        if (accounts.Count == 0)
        {
            return settings;
        }

        var rows = await clickHouse.QueryAsync(
            $"""
            SELECT account, personal_data, hash_key, updated_at, version
            FROM {Table} FINAL
            WHERE account IN ({string.Join(", ", accounts.Distinct(StringComparer.Ordinal).Select(Literal))})
            """,
            QueryStorageJsonContext.Default.AccountSettingsRow, cancellationToken: cancellationToken);
        foreach (var row in rows)
        {
            settings[row.Account] = new AccountSettings(row.Account, row.PersonalData != 0, row.HashKey);
        }

        foreach (var account in accounts)
        {
            settings.TryAdd(account, AccountSettings.Default(account));
        }

        return settings;
    }

    /// <summary>
    /// The settings of the accounts whose personal data is off: of <paramref name="accounts"/>, or of every account when
    /// it is empty. For reports that show subjects of several accounts.
    /// </summary>
    public async Task<IReadOnlyList<AccountSettings>> LoadHiddenAsync(IReadOnlyCollection<string> accounts, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(accounts);
        var rows = await clickHouse.QueryAsync(
            $"""
            SELECT account, personal_data, hash_key, updated_at, version
            FROM {Table} FINAL
            {(accounts.Count == 0 ? "" : $"WHERE account IN ({string.Join(", ", accounts.Select(Literal))})")}
            """,
            QueryStorageJsonContext.Default.AccountSettingsRow, cancellationToken: cancellationToken);
        return [.. rows.Where(r => r.PersonalData == 0).Select(r => new AccountSettings(r.Account, PersonalData: false, r.HashKey))];
    }

    /// <summary>
    /// Stores <paramref name="personalData"/> for <paramref name="account"/>, keeping the account's hash key, or giving
    /// it one (32 random bytes) with its first row, so pseudonyms stay the same however often the setting changes.
    /// </summary>
    /// <remarks>
    /// Two first writes of one account at the same moment may each make a key; the row with the higher version wins,
    /// and pseudonyms are always computed from the row that won.
    /// </remarks>
    public async Task<AccountSettings> WriteAsync(string account, bool personalData, CancellationToken cancellationToken)
    {
        var current = (await LoadAsync([account], cancellationToken))[account];
        var hashKey = current.HashKey.Length > 0 ? current.HashKey : Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var (now, version) = versions.Next();
        await clickHouse.InsertAsync(
            Table,
            [new AccountSettingsRow(account, personalData ? (byte)1 : (byte)0, hashKey, now, version)],
            QueryStorageJsonContext.Default.AccountSettingsRow,
            cancellationToken: cancellationToken);
        return new AccountSettings(account, personalData, hashKey);
    }
}
