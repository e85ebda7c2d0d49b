namespace Metering.Query.Pipeline;

/// <summary>The other figures of the window, each one aggregate.</summary>
internal sealed record PipelineFiguresRow(ulong LateEvents, ulong Adjustments, ulong FinalEvents, ulong SinkErrors, ulong DeadLetters);
