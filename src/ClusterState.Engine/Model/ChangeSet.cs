using System;
using System.Collections.Generic;

namespace ClusterState;

/// <summary>
/// A set of changes committed together, all or nothing (DESIGN.md §7: writes are data). Within
/// one entity, removals apply first, then updates in order, then additions.
/// </summary>
public sealed class ChangeSet
{
    /// <summary>Commit only if the state is still at this generation (optimistic concurrency).</summary>
    public long? ExpectedGeneration { get; set; }
    /// <summary>Accept statuses and roles outside the vocabularies of SPEC.md §1.</summary>
    public bool Force { get; set; }
    /// <summary>
    /// When a removed node still has tasks assigned: return its unfinished tasks to pending
    /// (assignment and started_at cleared) and unassign its finished ones, in the same commit.
    /// Without it such a removal fails with NodeHasTasks (Remove-ClusterNode -Force sets it).
    /// </summary>
    public bool RequeueTasksOfRemovedNodes { get; set; }

#pragma warning disable CA2227, CA1002 // a change set is a plain, mutable description
    /// <summary>Nodes to add.</summary>
    public List<ClusterNode> AddNodes { get; set; } = new();
    /// <summary>Node changes.</summary>
    public List<NodeUpdate> UpdateNodes { get; set; } = new();
    /// <summary>Ids of nodes to remove.</summary>
    public List<string> RemoveNodes { get; set; } = new();
    /// <summary>Tasks to add.</summary>
    public List<ClusterTask> AddTasks { get; set; } = new();
    /// <summary>Task changes.</summary>
    public List<TaskUpdate> UpdateTasks { get; set; } = new();
    /// <summary>Ids of tasks to remove.</summary>
    public List<string> RemoveTasks { get; set; } = new();
    /// <summary>Content to add.</summary>
    public List<ClusterContent> AddContent { get; set; } = new();
    /// <summary>Content changes.</summary>
    public List<ContentUpdate> UpdateContent { get; set; } = new();
    /// <summary>CIDs of content to remove.</summary>
    public List<string> RemoveContent { get; set; } = new();
#pragma warning restore CA2227, CA1002

    /// <summary>True when the set changes nothing.</summary>
    public bool IsEmpty => AddNodes.Count + UpdateNodes.Count + RemoveNodes.Count + AddTasks.Count + UpdateTasks.Count
        + RemoveTasks.Count + AddContent.Count + UpdateContent.Count + RemoveContent.Count == 0;
}

/// <summary>Changes to one node; null properties stay as they are.</summary>
public sealed class NodeUpdate
{
#pragma warning disable CS1591
    public string Id { get; set; } = "";
    public string? Role { get; set; }
    public string? Status { get; set; }
    public string[]? Peers { get; set; }
    public string[]? AddPeers { get; set; }
    public string[]? RemovePeers { get; set; }
    public string[]? Capabilities { get; set; }
    public string[]? AddCapabilities { get; set; }
    public string[]? RemoveCapabilities { get; set; }
    public int? CpuCount { get; set; }
    public float? CpuLoad { get; set; }
    public int? GpuCount { get; set; }
    public bool? GpuAvailable { get; set; }
    public long? MemoryTotal { get; set; }
    public long? MemoryAvailable { get; set; }
    public long? DiskTotal { get; set; }
    public long? DiskAvailable { get; set; }
#pragma warning restore CS1591
}

/// <summary>
/// Changes to one task; null properties stay as they are. A status change sets updated_at, and
/// started_at (running) or completed_at (completed, failed) when they are not set; back to
/// pending clears the assignment and both times.
/// </summary>
public sealed class TaskUpdate
{
#pragma warning disable CS1591
    public string Id { get; set; } = "";
    public string? Status { get; set; }
    public string? Type { get; set; }
    public string? AssignedTo { get; set; }
    /// <summary>Remove the assignment.</summary>
    public bool Unassign { get; set; }
    public string? OutputCid { get; set; }
    public string[]? OutputCids { get; set; }
    public string[]? AddOutputCids { get; set; }
    public int? CpuCores { get; set; }
    public int? GpuCores { get; set; }
    public int? MemoryMB { get; set; }
#pragma warning restore CS1591
}

/// <summary>Changes to one content item; null properties stay as they are.</summary>
public sealed class ContentUpdate
{
#pragma warning disable CS1591
    public string Cid { get; set; } = "";
    public string[]? Providers { get; set; }
    public string[]? AddProviders { get; set; }
    public string[]? RemoveProviders { get; set; }
    public bool? Pinned { get; set; }
    public int? Replication { get; set; }
    /// <summary>Added to the replication target under the writer lock (an atomic increment).</summary>
    public int? ReplicationDelta { get; set; }
    public long? Size { get; set; }
#pragma warning restore CS1591
}

/// <summary>What a commit produced.</summary>
public sealed class CommitResult
{
    /// <summary>The generation the commit was based on.</summary>
    public long PreviousGeneration { get; set; }
    /// <summary>The new generation; equal to <see cref="PreviousGeneration"/> when the change set was empty and nothing was committed.</summary>
    public long Generation { get; set; }
    /// <summary>False when the change set was empty: no generation was made.</summary>
    public bool Changed => Generation != PreviousGeneration;
    /// <summary>The new snapshot's file name.</summary>
    public string Snapshot { get; set; } = "";
    /// <summary>When the commit happened (UTC).</summary>
    public DateTime CommittedAt { get; set; }
    /// <summary>Items added, updated and removed.</summary>
    public int Added { get; set; }
    /// <summary>Items updated.</summary>
    public int Updated { get; set; }
    /// <summary>Items removed.</summary>
    public int Removed { get; set; }
    /// <summary>How long the commit took, lock wait included.</summary>
    public TimeSpan Elapsed { get; set; }
    /// <summary>How long it waited for the writer lock.</summary>
    public TimeSpan LockWait { get; set; }
    /// <summary>Milliseconds per phase: lock, plan, build, write, flush (fsync), publish. Old snapshots are deleted afterwards, in the background.</summary>
    public IReadOnlyDictionary<string, double> PhaseMilliseconds { get; set; } = new Dictionary<string, double>();

    /// <inheritdoc />
    public override string ToString() => Changed ? $"generation {Generation}: +{Added} ~{Updated} -{Removed}" : $"generation {Generation}: nothing to change";
}
