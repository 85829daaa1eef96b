using System.Collections.Generic;

namespace ClusterState;

// Filters are data (DESIGN.md §7): a cmdlet's filter parameters become one of these objects,
// evaluated on the snapshot's columns here and, later, on a server's columns. Given filters
// combine with AND; several values of one filter combine with OR. Null means "no filter".

/// <summary>Filters for nodes.</summary>
public sealed class NodeQuery
{
    /// <summary>Ids or wildcard patterns.</summary>
    public IReadOnlyList<string>? Id { get; set; }
    /// <summary>Roles (master, worker, leecher).</summary>
    public IReadOnlyList<string>? Role { get; set; }
    /// <summary>Statuses (online, offline, draining).</summary>
    public IReadOnlyList<string>? Status { get; set; }
    /// <summary>Capabilities; a node matches when it lists any of them.</summary>
    public IReadOnlyList<string>? Capability { get; set; }
    /// <summary>True: only GPU nodes (gpu_count &gt; 0 and gpu_available); false: only the others.</summary>
    public bool? GpuAvailable { get; set; }
}

/// <summary>Filters for tasks.</summary>
public sealed class TaskQuery
{
    /// <summary>Ids or wildcard patterns.</summary>
    public IReadOnlyList<string>? Id { get; set; }
    /// <summary>Statuses.</summary>
    public IReadOnlyList<string>? Status { get; set; }
    /// <summary>Task types.</summary>
    public IReadOnlyList<string>? Type { get; set; }
    /// <summary>Node ids the tasks are assigned to.</summary>
    public IReadOnlyList<string>? AssignedTo { get; set; }
    /// <summary>Minimum CPU cores the task requires.</summary>
    public int? MinCpuCores { get; set; }
    /// <summary>Minimum GPU cores the task requires.</summary>
    public int? MinGpuCores { get; set; }
    /// <summary>Minimum memory in MiB the task requires.</summary>
    public int? MinMemoryMB { get; set; }
}

/// <summary>Filters for content.</summary>
public sealed class ContentQuery
{
    /// <summary>CIDs or wildcard patterns.</summary>
    public IReadOnlyList<string>? Cid { get; set; }
    /// <summary>Provider node ids; content matches when any of them provides it.</summary>
    public IReadOnlyList<string>? Provider { get; set; }
    /// <summary>Only pinned (true) or unpinned (false) content.</summary>
    public bool? Pinned { get; set; }
    /// <summary>Only content no task refers to (true) or only referenced content (false).</summary>
    public bool? Orphaned { get; set; }
}
