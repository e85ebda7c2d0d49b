using Confluent.Kafka;

namespace Metering.Kafka.DevBroker;

/// <summary>One record of a journal file: a Kafka record as it was at its offset.</summary>
internal sealed record JournalRecord(
    int Partition, long Offset, long TimestampMs, TimestampType TimestampType, byte[]? Key, byte[]? Value, Headers Headers);
