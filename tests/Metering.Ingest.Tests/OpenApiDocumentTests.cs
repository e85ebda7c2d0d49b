using System.Text.Json;
using Metering.Testing;

namespace Metering.Ingest.Tests;

/// <summary>
/// <c>schemas/openapi/ingest.v1.json</c> is the committed copy of the OpenAPI document the build generates
/// (STYLE.md §9): it must equal the generated one and describe <c>POST /v1/events</c> as API.md does.
/// </summary>
public sealed class OpenApiDocumentTests
{
    public const string Regenerate =
        "schemas/openapi/ingest.v1.json is out of date: run 'make build', then "
        + "'cp artifacts/obj/Metering.Ingest/openapi/Metering.Ingest.json schemas/openapi/ingest.v1.json' and commit it.";

    private static readonly string[] StatusCodes = ["202", "400", "401", "403", "413", "415", "503"];
    private static readonly string[] ContentTypes = ["application/cloudevents+json", "application/cloudevents-batch+json", "application/json"];

    public static string CommittedPath => Path.Combine(RepositoryPaths.Root, "schemas", "openapi", "ingest.v1.json");

    public static string GeneratedPath => Path.Combine(RepositoryPaths.Root, "artifacts", "obj", "Metering.Ingest", "openapi", "Metering.Ingest.json");

    /// <summary>The document's text with line endings and the final newline normalized.</summary>
    public static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd();

    [Test]
    public void CommittedDocument_ComparedWithTheBuildGeneratedOne_IsTheSame()
    {
        Assert.That(File.Exists(GeneratedPath), Is.True, $"{GeneratedPath} is missing: the build generates it ('make build').");

        Assert.That(Normalize(File.ReadAllText(CommittedPath)), Is.EqualTo(Normalize(File.ReadAllText(GeneratedPath))), Regenerate);
    }

    [Test]
    public void PostEvents_InTheCommittedDocument_HasTheContentTypesResponsesAndBearerKeyOfApiMd()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(CommittedPath));
        var root = document.RootElement;
        var post = root.GetProperty("paths").GetProperty("/v1/events").GetProperty("post");
        var responses = post.GetProperty("responses");
        var scheme = root.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(root.GetProperty("openapi").GetString(), Does.StartWith("3.1"));
            Assert.That(post.GetProperty("operationId").GetString(), Is.EqualTo("PostEvents"));
            Assert.That(post.GetProperty("requestBody").GetProperty("required").GetBoolean(), Is.True);
            Assert.That(post.GetProperty("requestBody").GetProperty("content").EnumerateObject().Select(p => p.Name), Is.EquivalentTo(ContentTypes));
            Assert.That(responses.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(StatusCodes));
            Assert.That(responses.GetProperty("202").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString(),
                Is.EqualTo("#/components/schemas/IngestResponse"));
            foreach (var status in StatusCodes.Skip(1))
            {
                Assert.That(responses.GetProperty(status).GetProperty("content").TryGetProperty("application/problem+json", out _), Is.True, status);
            }

            Assert.That(responses.GetProperty("400").GetProperty("content").GetProperty("application/problem+json").GetProperty("schema").GetProperty("$ref").GetString(),
                Is.EqualTo("#/components/schemas/RejectionProblem"));
            Assert.That(responses.GetProperty("503").GetProperty("headers").TryGetProperty("Retry-After", out _), Is.True);
            Assert.That(scheme.GetProperty("type").GetString(), Is.EqualTo("http"));
            Assert.That(scheme.GetProperty("scheme").GetString(), Is.EqualTo("bearer"));
            Assert.That(post.GetProperty("security")[0].TryGetProperty("ApiKey", out _), Is.True);
        }
    }

    [Test]
    public void CloudEventSchema_InTheCommittedDocument_IsTheEventJsonSchema()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(CommittedPath));
        using var schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "schemas", "events", "usage-event.v1.schema.json")));
        var cloudEvent = document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty("CloudEvent");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(cloudEvent.GetProperty("$id").GetString(), Is.EqualTo(schema.RootElement.GetProperty("$id").GetString()));
            Assert.That(cloudEvent.GetProperty("required").EnumerateArray().Select(e => e.GetString()),
                Is.EquivalentTo(schema.RootElement.GetProperty("required").EnumerateArray().Select(e => e.GetString())));
            Assert.That(cloudEvent.GetProperty("properties").EnumerateObject().Select(p => p.Name),
                Is.EquivalentTo(schema.RootElement.GetProperty("properties").EnumerateObject().Select(p => p.Name)));
        }
    }
}
