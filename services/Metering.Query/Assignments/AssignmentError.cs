namespace Metering.Query.Assignments;

/// <summary>Why the item at <paramref name="Index"/> of a <c>POST /v1/directory/assignments</c> body is invalid.</summary>
public sealed record AssignmentError(int Index, string Reason);
