using System.Net;
using System.Text.Json;

namespace Metering.Testing;

/// <summary>Checks of the RFC 7807 answers API.md promises for every error.</summary>
public static class Problems
{
    /// <summary>Asserts the status, <c>application/problem+json</c> and a non-empty <c>detail</c>; returns the body.</summary>
    public static async Task<JsonDocument> AssertAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), text);
        var problem = JsonDocument.Parse(text);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(problem.RootElement.GetProperty("status").GetInt32(), Is.EqualTo((int)expected));
            Assert.That(problem.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() : null, Is.Not.Null.And.Not.Empty);
        }

        return problem;
    }

    public static string Detail(JsonDocument problem) => problem.RootElement.GetProperty("detail").GetString()!;

    /// <summary>The <c>errors</c> list of a 400 as (index, reason) pairs.</summary>
    public static List<(int Index, string Reason)> Errors(JsonDocument problem) =>
        [.. problem.RootElement.GetProperty("errors").EnumerateArray()
            .Select(e => (e.GetProperty("index").GetInt32(), e.GetProperty("reason").GetString()!))];
}
