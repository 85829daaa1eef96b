namespace ClusterState;

/// <summary>An undirected link between two peers.</summary>
public sealed class TopologyConnection
{
    /// <summary>The node that lists the link first in state order.</summary>
    public string Source { get; set; } = "";
    /// <summary>The other end.</summary>
    public string Target { get; set; } = "";
    /// <summary>True when the target is a peer that is not a node of this state.</summary>
    public bool External { get; set; }

    /// <inheritdoc />
    public override string ToString() => $"{Source} -- {Target}";
}
