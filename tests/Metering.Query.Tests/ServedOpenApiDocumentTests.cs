using Metering.Testing;

namespace Metering.Query.Tests;

/// <summary>The document the running query service serves on <c>/openapi/v1.json</c>, without a key, is the committed one.</summary>
[Integration]
public sealed class ServedOpenApiDocumentTests
{
    [Test]
    public async Task OpenApi_ServedByTheQueryService_IsTheCommittedDocument()
    {
        await using var service = await QueryService.StartAsync();
        using var client = service.CreateClient();

        using var response = await client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        var served = await response.Content.ReadAsStringAsync();

        Assert.That(response.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK), served);
        Assert.That(OpenApiDocumentTests.Normalize(served), Is.EqualTo(OpenApiDocumentTests.Normalize(File.ReadAllText(OpenApiDocumentTests.CommittedPath))),
            OpenApiDocumentTests.Regenerate);
    }
}
