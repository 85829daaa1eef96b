using System;

namespace ClusterState;

/// <summary>One commit as Watch-ClusterState reports it.</summary>
public sealed class ClusterStateChange
{
    /// <summary>The generation the commit made.</summary>
    public long Generation { get; set; }
    /// <summary>When it was committed (UTC); null when unknown.</summary>
    public DateTime? CommittedAt { get; set; }
    /// <summary>Changes to nodes.</summary>
    public EntityChange Nodes { get; set; } = new();
    /// <summary>Changes to tasks.</summary>
    public EntityChange Tasks { get; set; } = new();
    /// <summary>Changes to content.</summary>
    public EntityChange Content { get; set; } = new();
    /// <summary>True when the whole state was replaced (restore, import over it, migration, a new sample).</summary>
    public bool Replaced { get; set; }
    /// <summary>False when the change is not known in detail: another program committed it, or it left the metadata's change log before it was seen.</summary>
    public bool Known { get; set; } = true;
    /// <summary>The state directory.</summary>
    public string StatePath { get; set; } = "";

    /// <inheritdoc />
    public override string ToString() => Replaced ? $"generation {Generation}: replaced"
        : !Known ? $"generation {Generation}: changes not recorded"
        : $"generation {Generation}: nodes {Nodes}, tasks {Tasks}, content {Content}";
}
