using System;

namespace ClusterState;

/// <summary>What <c>Get-ClusterMetadata</c> reports about a state: its metadata keys plus counts and size.</summary>
public sealed class ClusterMetadata
{
    /// <summary>Cluster id.</summary>
    public string ClusterId { get; set; } = "";
    /// <summary>Master node id.</summary>
    public string MasterId { get; set; } = "";
    /// <summary>Schema version of the current snapshot.</summary>
    public int SchemaVersion { get; set; }
    /// <summary>Commit generation (increments on every commit).</summary>
    public long Generation { get; set; }
    /// <summary>When the state was last updated (UTC).</summary>
    public DateTime? UpdatedAt { get; set; }
    /// <summary>Number of nodes.</summary>
    public int NodeCount { get; set; }
    /// <summary>Number of tasks.</summary>
    public int TaskCount { get; set; }
    /// <summary>Number of content items.</summary>
    public int ContentCount { get; set; }
    /// <summary>The state directory.</summary>
    public string StatePath { get; set; } = "";
    /// <summary>The current snapshot's file name.</summary>
    public string Snapshot { get; set; } = "";
    /// <summary>Size of the snapshot file in bytes.</summary>
    public long SnapshotBytes { get; set; }
    /// <summary>Absolute path of the latest Parquet checkpoint, if any.</summary>
    public string? ParquetPath { get; set; }
    /// <summary>The generation the latest checkpoint holds, if any.</summary>
    public long? CheckpointGeneration { get; set; }
    /// <summary>When the latest checkpoint was taken (UTC), if any.</summary>
    public DateTime? CheckpointAt { get; set; }
    /// <summary>The automatic checkpoint policy, if one is set (Set-ClusterStateCheckpointPolicy).</summary>
    public CheckpointPolicy? CheckpointPolicy { get; set; }

    /// <inheritdoc />
    public override string ToString() => $"{ClusterId} generation {Generation}";
}
