namespace Metering.Query.Assignments;

/// <summary>
/// One current assignment as <c>GET /v1/directory/assignments</c> answers it; <paramref name="Group"/> and
/// <paramref name="ValidTo"/> are left out when there is none (no group, open-ended).
/// </summary>
public sealed record AssignmentResponse(
    string Account, string Subject, string Team, string? Group, DateTimeOffset ValidFrom, DateTimeOffset? ValidTo);

/// <summary>The answer of a successful <c>POST /v1/directory/assignments</c>: how many assignments were written.</summary>
public sealed record AssignmentWriteResponse(int Written);
