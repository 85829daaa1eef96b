using System;
using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Linq;

namespace ClusterState.Benchmarks;

/// <summary>Counts the runtime's garbage collections by generation and reason (GCStart events), and the types that allocate most (AllocationTick samples), for --open and --commits with CLUSTERSTATE_GC_DETAIL=1.</summary>
internal sealed class GcReasons : EventListener
{
    private readonly ConcurrentDictionary<string, int> _counts = new();

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime") EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName is not { } name || e.PayloadNames is null) return;
        object? Field(string n) => e.PayloadNames.IndexOf(n) is int i and >= 0 ? e.Payload![i] : null;
        if (name.StartsWith("GCAllocationTick", StringComparison.Ordinal))
        {
            // One tick per ~100 KB allocated of a kind: a sample of what allocates, by type.
            string where = Field("AllocationKind") is uint kind && kind == 1 ? "LOH" : "small";
            _counts.AddOrUpdate($"{where} tick {Field("TypeName")}", 1, (_, c) => c + 1);
            return;
        }
        if (!name.StartsWith("GCStart", StringComparison.Ordinal)) return;
        _counts.AddOrUpdate($"gen{Field("Depth")} reason {Field("Reason")} type {Field("Type")}", 1, (_, c) => c + 1);
    }

    public override string ToString() => string.Join("; ", _counts.OrderByDescending(c => c.Value).Take(25).Select(c => $"{c.Key}: {c.Value}"));
}
