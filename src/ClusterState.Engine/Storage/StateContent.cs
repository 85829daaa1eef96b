using System;
using System.Collections.Generic;

namespace ClusterState;

/// <summary>
/// Typed data for a whole state, to be written as one snapshot. The collections are
/// enumerated once, in order, straight into column builders.
/// </summary>
public sealed class StateContent
{
    /// <summary>Cluster id.</summary>
    public string ClusterId { get; set; } = "";
    /// <summary>Master node id.</summary>
    public string MasterId { get; set; } = "";
    /// <summary>When the state was last updated (UTC); defaults to the time of writing.</summary>
    public DateTime? UpdatedAt { get; set; }
    /// <summary>The nodes.</summary>
    public IEnumerable<ClusterNode> Nodes { get; set; } = Array.Empty<ClusterNode>();
    /// <summary>The tasks.</summary>
    public IEnumerable<ClusterTask> Tasks { get; set; } = Array.Empty<ClusterTask>();
    /// <summary>The content items.</summary>
    public IEnumerable<ClusterContent> Content { get; set; } = Array.Empty<ClusterContent>();
}
