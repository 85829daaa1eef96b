using System;

namespace ClusterState;

/// <summary>What one commit did to one entity (Watch-ClusterState): counts and every id, from its commit record.</summary>
public sealed class EntityChange
{
    /// <summary>Items added.</summary>
    public int Added { get; set; }
    /// <summary>Items changed.</summary>
    public int Updated { get; set; }
    /// <summary>Items removed.</summary>
    public int Removed { get; set; }
    /// <summary>Ids added (all of them).</summary>
    public string[] AddedIds { get; set; } = Array.Empty<string>();
    /// <summary>Ids changed (all of them).</summary>
    public string[] UpdatedIds { get; set; } = Array.Empty<string>();
    /// <summary>Ids removed (all of them).</summary>
    public string[] RemovedIds { get; set; } = Array.Empty<string>();

    /// <inheritdoc />
    public override string ToString() => $"+{Added} ~{Updated} -{Removed}";
}
