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
