using System;

namespace ClusterState;

/// <summary>What one commit did to one entity (Watch-ClusterState).</summary>
public sealed class EntityChange
{
    /// <summary>Items added.</summary>
    public int Added { get; set; }
    /// <summary>Items changed.</summary>
    public int Updated { get; set; }
    /// <summary>Items removed.</summary>
    public int Removed { get; set; }
    /// <summary>Ids added (the first <see cref="ChangeLog.MaxIds"/>).</summary>
    public string[] AddedIds { get; set; } = Array.Empty<string>();
    /// <summary>Ids changed (the first <see cref="ChangeLog.MaxIds"/>).</summary>
    public string[] UpdatedIds { get; set; } = Array.Empty<string>();
    /// <summary>Ids removed (the first <see cref="ChangeLog.MaxIds"/>).</summary>
    public string[] RemovedIds { get; set; } = Array.Empty<string>();

    /// <inheritdoc />
    public override string ToString() => $"+{Added} ~{Updated} -{Removed}";
}
