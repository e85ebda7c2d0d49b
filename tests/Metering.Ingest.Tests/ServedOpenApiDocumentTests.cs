using Metering.Testing;

namespace Metering.Ingest.Tests;

/// <summary>The document the running gateway serves on <c>/openapi/v1.json</c> is the committed one.</summary>
[Integration]
public sealed class ServedOpenApiDocumentTests
{
    [Test]
    public async Task OpenApi_ServedByTheGateway_IsTheCommittedDocument()
    {
        await using var gateway = await IngestGateway.StartAsync();
        using var client = gateway.CreateClient();

        using var response = await client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        var served = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK), served);
        Assert.That(OpenApiDocumentTests.Normalize(served), Is.EqualTo(OpenApiDocumentTests.Normalize(File.ReadAllText(OpenApiDocumentTests.CommittedPath))),
            OpenApiDocumentTests.Regenerate);
    }
}
