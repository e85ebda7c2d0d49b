namespace Metering.Testing;

/// <summary>Tests that talk to a real ClickHouse server or Kafka-protocol broker.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Assembly, AllowMultiple = false)]
public sealed class IntegrationAttribute() : CategoryAttribute("Integration");
