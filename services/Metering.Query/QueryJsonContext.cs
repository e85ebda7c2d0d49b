using System.Text.Json;
using System.Text.Json.Serialization;
using Metering.Query.Accounts;
using Metering.Query.Assignments;
using Metering.Query.Meters;
using Metering.Query.Monthly;
using Metering.Query.Pipeline;
using Metering.Query.Subjects;
using Metering.Query.Usage;
using Metering.Query.Windows;
using Microsoft.AspNetCore.Mvc;

namespace Metering.Query;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(MeterResponse))]
[JsonSerializable(typeof(IReadOnlyList<MeterResponse>))]
[JsonSerializable(typeof(UsageResponse))]
[JsonSerializable(typeof(MonthlyReport))]
[JsonSerializable(typeof(AssignmentWriteResponse))]
[JsonSerializable(typeof(IReadOnlyList<AssignmentResponse>))]
[JsonSerializable(typeof(IReadOnlyList<AssignmentError>))]
[JsonSerializable(typeof(PipelineHealthResponse))]
[JsonSerializable(typeof(AccountSettingsRequest))]
[JsonSerializable(typeof(AccountSettingsResponse))]
[JsonSerializable(typeof(SubjectsResponse))]
[JsonSerializable(typeof(ProblemDetails))]
[JsonSerializable(typeof(HttpValidationProblemDetails))]
internal sealed partial class QueryJsonContext : JsonSerializerContext;

/// <summary>The rows ClickHouse answers, in its snake_case names.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(UsageRow))]
[JsonSerializable(typeof(UsageBoundsRow))]
[JsonSerializable(typeof(RawUsageEventRow))]
[JsonSerializable(typeof(PartitionWatermarkRow))]
[JsonSerializable(typeof(MonthlyTotalsRow))]
[JsonSerializable(typeof(MonthlyTotalsStorageRow))]
[JsonSerializable(typeof(MonthlyTotalsCompleteRow))]
[JsonSerializable(typeof(AdjustmentTotalsRow))]
[JsonSerializable(typeof(ulong))]
[JsonSerializable(typeof(AssignmentRow))]
[JsonSerializable(typeof(ProgressRow))]
[JsonSerializable(typeof(EventCountsRow))]
[JsonSerializable(typeof(PipelineFiguresRow))]
[JsonSerializable(typeof(AccountSettingsRow))]
[JsonSerializable(typeof(SubjectUsageRow))]
internal sealed partial class QueryStorageJsonContext : JsonSerializerContext;
