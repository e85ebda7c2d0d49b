namespace Metering.ClickHouse.Tests;

[TestFixture]
public sealed class ClickHouseOptionsValidatorTests
{
    [Test]
    public void Validate_Defaults_Succeeds() =>
        Assert.That(new ClickHouseOptionsValidator().Validate(null, new ClickHouseOptions()).Succeeded, Is.True);

    [Test]
    public void Validate_InvalidOptions_ReportsEveryProblem()
    {
        var options = new ClickHouseOptions
        {
            Url = "ftp://host",
            Database = "bad-name",
            User = "",
            RequestTimeout = TimeSpan.Zero,
            MaxRetryAttempts = -1,
            RetryDelay = TimeSpan.FromSeconds(2),
            RetryMaxDelay = TimeSpan.FromSeconds(1),
            StartupTimeout = TimeSpan.Zero,
        };

        string[] expected =
        [
            "ClickHouse:Url must be an absolute http:// or https:// URL without a query or user info (use ClickHouse:User), e.g. http://127.0.0.1:8123.",
            "ClickHouse:Database must match ^[A-Za-z_][A-Za-z0-9_]*$.",
            "ClickHouse:User is required.",
            "ClickHouse:RequestTimeout must be between 00:00:00.1000000 and 01:00:00.",
            "ClickHouse:MaxRetryAttempts must be between 0 and 100.",
            "ClickHouse:RetryMaxDelay must not be less than ClickHouse:RetryDelay.",
            "ClickHouse:StartupTimeout must be between 00:00:01 and 01:00:00.",
        ];

        var result = new ClickHouseOptionsValidator().Validate(null, options);

        Assert.That(result.Failures, Is.EqualTo(expected));
    }

    [TestCase("http://127.0.0.1:8123")]
    [TestCase("https://clickhouse.example:8443/")]
    public void Validate_HttpUrl_Succeeds(string url) =>
        Assert.That(new ClickHouseOptionsValidator().Validate(null, new ClickHouseOptions { Url = url }).Succeeded, Is.True);

    [TestCase("127.0.0.1:8123")]
    [TestCase("http://user:secret@host:8123")]
    [TestCase("http://host:8123/?database=x")]
    public void Validate_BadUrl_Fails(string url) =>
        Assert.That(new ClickHouseOptionsValidator().Validate(null, new ClickHouseOptions { Url = url }).Failed, Is.True);
}
