using System;

namespace ClusterState;

/// <summary>Knobs of the sample generator.</summary>
public sealed class SampleOptions
{
    /// <summary>Number of nodes (the first is the master).</summary>
    public int NodeCount { get; set; } = 10;
    /// <summary>Number of tasks.</summary>
    public int TaskCount { get; set; } = 100;
    /// <summary>Number of content items.</summary>
    public int ContentCount { get; set; } = 100;
    /// <summary>The seed: the same seed and counts give the same cluster, byte for byte.</summary>
    public int Seed { get; set; } = 42;
    /// <summary>The cluster id (null: one derived from the seed).</summary>
    public string? ClusterId { get; set; }
    /// <summary>The id of the master, the first node (null: a peer id derived from the seed like the other nodes').</summary>
    public string? MasterId { get; set; }
    /// <summary>The "now" of the sample: timestamps lie before it. Fixed so samples are reproducible.</summary>
    public DateTime ReferenceTime { get; set; } = new(2026, 11, 1, 12, 0, 0, DateTimeKind.Utc);
    /// <summary>Called now and then with (activity, done, total) while rows are produced.</summary>
    public Action<string, long, long>? Progress { get; set; }
}
