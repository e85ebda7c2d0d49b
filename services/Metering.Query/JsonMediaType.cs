using Microsoft.Net.Http.Headers;

namespace Metering.Query;

/// <summary>The content type the query service's write endpoints take: <c>application/json</c>, UTF-8.</summary>
internal static class JsonMediaType
{
    public static bool Matches(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var media)
        && string.Equals(media.MediaType.Value, "application/json", StringComparison.OrdinalIgnoreCase)
        && (!media.Charset.HasValue || HeaderUtilities.RemoveQuotes(media.Charset).Equals("utf-8", StringComparison.OrdinalIgnoreCase));
}
