namespace Metering.Ingest.Producing;

/// <summary>The Kafka record of one accepted event: its account as the key, the stamped event (<c>UsageEventCodec</c>) as the value.</summary>
internal readonly record struct EventRecord(byte[] Key, byte[] Value);
