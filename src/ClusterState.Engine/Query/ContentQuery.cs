using System.Collections.Generic;

namespace ClusterState;

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
