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
    /// <summary>The complete new version of every node the commit added or changed, in the order it wrote them (its record in the commit log); empty when the change is not known.</summary>
    public ClusterNode[] ChangedNodes { get; set; } = Array.Empty<ClusterNode>();
    /// <summary>The complete new version of every task the commit added or changed, as Get-ClusterTask returns it.</summary>
    public ClusterTask[] ChangedTasks { get; set; } = Array.Empty<ClusterTask>();
    /// <summary>The complete new version of every content item the commit added or changed.</summary>
    public ClusterContent[] ChangedContent { get; set; } = Array.Empty<ClusterContent>();
    /// <summary>True when the whole state was replaced (restore, import over it, migration, a new sample).</summary>
    public bool Replaced { get; set; }
    /// <summary>False when the change is not known in detail: its record is no longer in any commit log this watcher can read (compacted away and removed before it was seen).</summary>
    public bool Known { get; set; } = true;
    /// <summary>The state directory.</summary>
    public string StatePath { get; set; } = "";

    /// <inheritdoc />
    public override string ToString() => Replaced ? $"generation {Generation}: replaced"
        : !Known ? $"generation {Generation}: changes not recorded"
        : $"generation {Generation}: nodes {Nodes}, tasks {Tasks}, content {Content}";
}
