using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Metering.Query.OpenApi;

/// <summary>The document's title and the bearer API key every <c>/v1</c> endpoint of the query service takes (API.md).</summary>
internal sealed class QueryDocumentTransformer : IOpenApiDocumentTransformer
{
    public const string SecuritySchemeId = "ApiKey";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        document.Info = new OpenApiInfo
        {
            Title = "Metering query service",
            Version = "v1",
            Description = "Usage by meter, finance's monthly report, subject summaries for admins, the directory and pipeline health. "
                + "Rows are provisional while late data may still arrive and final once it cannot.",
        };
        // No servers: where the service listens is deployment's business, and a document without them is
        // relative to where it is served. So the served and the committed documents are the same.
        document.Servers = [];
        document.AddComponent(SecuritySchemeId, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "A configured API key (Auth:Keys). A key with an account sees only that account.",
        });
        return Task.CompletedTask;
    }
}
