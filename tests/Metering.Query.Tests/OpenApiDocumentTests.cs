using System.Text.Json;
using Metering.Testing;

namespace Metering.Query.Tests;

/// <summary>
/// <c>schemas/openapi/query.v1.json</c> is the committed copy of the OpenAPI document the build generates
/// (STYLE.md §9): it must equal the generated one, and describe every query-service endpoint of API.md with its
/// parameters, the bearer key and the 401 and 403 answers.
/// </summary>
public sealed class OpenApiDocumentTests
{
    public const string Regenerate =
        "schemas/openapi/query.v1.json is out of date: run 'make build', then "
        + "'cp artifacts/obj/Metering.Query/openapi/Metering.Query.json schemas/openapi/query.v1.json' and commit it.";

    public static string CommittedPath => Path.Combine(RepositoryPaths.Root, "schemas", "openapi", "query.v1.json");

    public static string GeneratedPath => Path.Combine(RepositoryPaths.Root, "artifacts", "obj", "Metering.Query", "openapi", "Metering.Query.json");

    /// <summary>Every operation of API.md's query service with the query parameters it names.</summary>
    private static readonly (string Method, string Path, string[] Parameters)[] Operations =
    [
        ("get", "/v1/meters", []),
        ("get", "/v1/meters/{meter}/usage", ["meter"]),
        ("post", "/v1/directory/assignments", []),
        ("get", "/v1/directory/assignments", ["account", "subject"]),
        ("get", "/v1/pipeline/health", ["since"]),
        ("get", "/v1/accounts/{account}/subjects", ["account", "from", "to", "team", "format", "sort", "order"]),
        ("get", "/v1/accounts/{account}/settings", ["account"]),
        ("put", "/v1/accounts/{account}/settings", ["account"]),
    ];

    /// <summary>The document's text with line endings and the final newline normalized.</summary>
    public static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd();

    [Test]
    public void CommittedDocument_ComparedWithTheBuildGeneratedOne_IsTheSame()
    {
        Assert.That(File.Exists(GeneratedPath), Is.True, $"{GeneratedPath} is missing: the build generates it ('make build').");

        Assert.That(Normalize(File.ReadAllText(CommittedPath)), Is.EqualTo(Normalize(File.ReadAllText(GeneratedPath))), Regenerate);
    }

    [Test]
    public void EveryOperationOfApiMd_InTheCommittedDocument_HasItsParametersTheBearerKeyAnd401And403()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(CommittedPath));
        var root = document.RootElement;
        var scheme = root.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(root.GetProperty("openapi").GetString(), Does.StartWith("3.1"));
            Assert.That(scheme.GetProperty("type").GetString(), Is.EqualTo("http"));
            Assert.That(scheme.GetProperty("scheme").GetString(), Is.EqualTo("bearer"));
            foreach (var (method, path, parameters) in Operations)
            {
                if (!root.GetProperty("paths").TryGetProperty(path, out var item) || !item.TryGetProperty(method, out var operation))
                {
                    Assert.Fail($"{method} {path} is not in the document");
                    continue;
                }

                var named = operation.TryGetProperty("parameters", out var list)
                    ? list.EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList()
                    : [];
                Assert.That(named, Is.SupersetOf(parameters), $"{method} {path}");
                Assert.That(operation.GetProperty("security")[0].TryGetProperty("ApiKey", out _), Is.True, $"{method} {path}");
                var responses = operation.GetProperty("responses");
                Assert.That(responses.TryGetProperty("200", out _), Is.True, $"{method} {path}: 200");
                foreach (var status in new[] { "401", "403" })
                {
                    Assert.That(responses.TryGetProperty(status, out var response)
                        && response.GetProperty("content").TryGetProperty("application/problem+json", out _), Is.True, $"{method} {path}: {status}");
                }
            }
        }
    }
}
