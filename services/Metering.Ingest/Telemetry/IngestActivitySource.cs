using System.Diagnostics;

namespace Metering.Ingest.Telemetry;

/// <summary>The gateway's spans (STYLE.md §7), on the activity source <c>Metering.Ingest</c>, named like its meter.</summary>
internal static class IngestActivitySource
{
    public static readonly ActivitySource Instance = new(IngestMetrics.MeterName);
}
