using System.Globalization;
using System.Text;

namespace Metering.Ingest.Benchmarks;

/// <summary>Realistic events of about 300 bytes, made before the clock starts.</summary>
internal static class Payloads
{
    public static byte[] Event(int i, DateTimeOffset now)
    {
        var time = now.AddSeconds(-(i % 3600)).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        return Encoding.UTF8.GetBytes(
            $$"""{"specversion":"1.0","id":"bench-{{i:D9}}","source":"svc/llm-gateway","type":"flex.tokens","account":"acct-{{i % 997:D4}}","subject":"user-{{i % 20011:D6}}","time":"{{time}}","datacontenttype":"application/json","data":{"tokens":{{i % 4096}},"model":"model-{{i % 7}}","region":"eu-west-1","requestId":"req-{{i:D10}}"} }""");
    }

    /// <summary>JSON arrays of <paramref name="batch"/> events each: request bodies.</summary>
    public static List<byte[]> Bodies(IReadOnlyList<byte[]> events, int batch)
    {
        var bodies = new List<byte[]>(events.Count / batch + 1);
        for (var start = 0; start < events.Count; start += batch)
        {
            using var body = new MemoryStream();
            body.WriteByte((byte)'[');
            for (var i = start; i < Math.Min(start + batch, events.Count); i++)
            {
                if (i > start)
                {
                    body.WriteByte((byte)',');
                }

                body.Write(events[i]);
            }

            body.WriteByte((byte)']');
            bodies.Add(body.ToArray());
        }

        return bodies;
    }

    public static string AccountOf(int i) => $"acct-{i % 997:D4}";
}
