namespace Metering.Query.Accounts;

/// <summary>
/// The settings of <paramref name="Account"/>: whether reports show its subjects (<paramref name="PersonalData"/>), and
/// the key of their pseudonyms when they do not (empty while the account has no stored settings).
/// </summary>
internal sealed record AccountSettings(string Account, bool PersonalData, string HashKey)
{
    /// <summary>The settings of an account that never changed them: personal data shown.</summary>
    public static AccountSettings Default(string account) => new(account, PersonalData: true, HashKey: "");

    /// <summary>The subject as reports show it: itself, or its pseudonym when the account's personal data is off.</summary>
    public string Show(string subject) => PersonalData ? subject : Accounts.PersonalData.Hash(HashKey, subject);
}
