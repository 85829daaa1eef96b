using System;

namespace ClusterState;

/// <summary>A Parquet checkpoint of a state (Get-ClusterStateCheckpoint).</summary>
public sealed class CheckpointInfo
{
    /// <summary>The checkpoint file.</summary>
    public string Path { get; set; } = "";
    /// <summary>The cluster it belongs to.</summary>
    public string ClusterId { get; set; } = "";
    /// <summary>When it was taken (UTC, from its file name).</summary>
    public DateTime CreatedAt { get; set; }
    /// <summary>Size of the file in bytes.</summary>
    public long SizeBytes { get; set; }
    /// <summary>The state directory it belongs to.</summary>
    public string StatePath { get; set; } = "";

    /// <inheritdoc />
    public override string ToString() => Path;
}
