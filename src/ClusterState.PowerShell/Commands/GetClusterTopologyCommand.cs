using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Gets the network topology: every node and one connection per pair of peers, as an object, Graphviz DOT or Mermaid.</para>
/// <para type="description">Get-ClusterTopology applies the seed's get_network_topology with its bug fixed: a pair of nodes is connected when either side lists the other as a peer, once per pair. Nodes carry Id, Role, Status, CpuCount, MemoryGiB and GpuCount. Peers that are not nodes of the state are kept as External connections and listed in ExternalPeers. -As Dot returns a Graphviz graph (render it with dot -Tsvg), -As Mermaid a flowchart for Markdown.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "ClusterTopology")]
[OutputType(typeof(ClusterTopology), typeof(string))]
public sealed class GetClusterTopologyCommand : StateCmdlet
{
    /// <summary><para type="description">Object (default), Dot or Mermaid.</para></summary>
    [Parameter(Position = 0)]
    public TopologyFormat As { get; set; } = TopologyFormat.Object;

    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() =>
    {
        var topology = ClusterAnalysis.GetTopology(Snapshot);
        WriteObject(As switch
        {
            TopologyFormat.Dot => ClusterAnalysis.ToDot(topology, Snapshot.ClusterId),
            TopologyFormat.Mermaid => ClusterAnalysis.ToMermaid(topology),
            _ => topology,
        });
    });
}
