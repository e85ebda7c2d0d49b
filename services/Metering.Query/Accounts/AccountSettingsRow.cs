using System.Text.Json.Serialization;
using Metering.ClickHouse;

namespace Metering.Query.Accounts;

/// <summary>A row of the <c>account_settings</c> table (schemas/clickhouse/0008_create_account_settings.sql).</summary>
internal sealed record AccountSettingsRow(
    string Account,
    byte PersonalData,
    string HashKey,
    [property: JsonConverter(typeof(ClickHouseDateTimeConverter))] DateTimeOffset UpdatedAt,
    ulong Version);
