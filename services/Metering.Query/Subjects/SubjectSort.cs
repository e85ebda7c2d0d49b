namespace Metering.Query.Subjects;

/// <summary>What the subject report is ordered by (<c>sort</c>); ties are ordered by subject.</summary>
internal enum SubjectSort
{
    Subject,
    LastAccess,
    DaysUsed,
}
