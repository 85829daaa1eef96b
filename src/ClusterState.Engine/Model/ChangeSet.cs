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
