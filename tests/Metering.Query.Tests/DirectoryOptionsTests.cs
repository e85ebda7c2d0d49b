using Metering.Testing;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Options;

namespace Metering.Query.Tests;

/// <summary>The <c>Directory</c> section is validated at start, so a bad limit stops the service with a clear message.</summary>
public sealed class DirectoryOptionsTests
{
    [Test]
    public void Start_OutOfRangeLimits_FailsNamingEveryField()
    {
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("ClickHouse:ApplyMigrations", "false");
            builder.UseSetting("Meters", Path.Combine(RepositoryPaths.Root, "schemas", "meters.json"));
            builder.UseSetting("Directory:MaxBodyBytes", "10");
            builder.UseSetting("Directory:MaxAssignmentsPerRequest", "0");
        });

        var error = Assert.Throws<OptionsValidationException>(() => factory.CreateClient().Dispose());

        Assert.That(error.Message, Is.EqualTo(
            "MaxBodyBytes: The field DirectoryOptions.MaxBodyBytes must be between 1024 and 67108864.; "
            + "MaxAssignmentsPerRequest: The field DirectoryOptions.MaxAssignmentsPerRequest must be between 1 and 100000."));
    }
}
