using System;

namespace ClusterState;

/// <summary>Knobs of a commit.</summary>
public sealed class CommitOptions
{
    /// <summary>How long to wait for another writer's lock.</summary>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>The commit time (default: now); timestamps set by the commit use it.</summary>
    public DateTime? Now { get; set; }
    /// <summary>Flush the new snapshot and metadata to the disk before returning (default true).</summary>
    public bool Durable { get; set; } = true;
    /// <summary>Snapshots older than the newest this many are deleted when no reader can need them.</summary>
    public int KeepSnapshots { get; set; } = 3;
}
