namespace Metering.Events.Meters;

/// <summary>The meter definitions cannot be used; the message lists every problem found.</summary>
public sealed class MeterCatalogException(string message) : Exception(message);
