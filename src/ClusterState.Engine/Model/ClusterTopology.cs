using System;
using System.Collections.Generic;

namespace ClusterState;

/// <summary>The network topology: nodes and one connection per linked pair.</summary>
public sealed class ClusterTopology : IFromState
{
    /// <summary>The state this was computed from (a directory or a server URI); cmdlets it is piped into bind it to -StatePath.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? StatePath { get; set; }

    /// <summary>Every node of the state.</summary>
    public IReadOnlyList<TopologyNode> Nodes { get; set; } = Array.Empty<TopologyNode>();
    /// <summary>One undirected connection per pair that either side lists as a peer.</summary>
    public IReadOnlyList<TopologyConnection> Connections { get; set; } = Array.Empty<TopologyConnection>();
    /// <summary>Peers listed by nodes that are not nodes of this state.</summary>
    public IReadOnlyList<string> ExternalPeers { get; set; } = Array.Empty<string>();

    /// <inheritdoc />
    public override string ToString() => $"{Nodes.Count} nodes, {Connections.Count} connections";
}
