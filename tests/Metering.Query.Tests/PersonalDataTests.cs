using Metering.Query.Accounts;

namespace Metering.Query.Tests;

/// <summary>The pseudonym of a subject in C# (the SQL form is checked against ClickHouse in <see cref="PersonalDataSqlTests"/>).</summary>
public sealed class PersonalDataTests
{
    [Test]
    public void Hash_KnownKeyAndSubject_IsPrefixAndFirst32HexCharsOfSha256()
    {
        // printf 'k:u-1' | sha256sum → 424e6e82b0df51e437abb47dfb3a60ce27495beee822ef8d794fcdbc629450d5
        Assert.That(PersonalData.Hash("k", "u-1"), Is.EqualTo("hash:424e6e82b0df51e437abb47dfb3a60ce"));
    }

    [Test]
    public void Hash_SameSubjectOtherKey_IsAnotherPseudonym()
    {
        Assert.That(PersonalData.Hash("key-a", "u-1"), Is.Not.EqualTo(PersonalData.Hash("key-b", "u-1")));
    }

    [Test]
    public void HashSql_KeyAndColumn_IsTheDocumentedExpression()
    {
        Assert.That(PersonalData.HashSql("'k'", "subject"),
            Is.EqualTo("concat('hash:', substring(lower(hex(SHA256(concat('k', ':', subject)))), 1, 32))"));
    }
}
