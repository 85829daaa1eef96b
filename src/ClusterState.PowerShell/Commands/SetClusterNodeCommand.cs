using System.Linq;
using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Changes nodes: status, role, resources, capabilities and peers, in one atomic commit.</para>
/// <para type="description">Set-ClusterNode changes the given fields of each node and leaves the others as they are. Nodes piped in (from Get-ClusterNode or a grid selection) bind by Id, and the whole pipeline is one commit: Get-ClusterNode -Role worker -Status online | Set-ClusterNode -Status draining drains every worker at once or none. -AddPeer/-RemovePeer and -AddCapability/-RemoveCapability edit the lists; -Peers and -Capabilities replace them. Unknown ids are NodeNotFound errors and nothing is written. -Id takes exact ids and refuses wildcard characters; pipe Get-ClusterNode 'pattern' in to change every match, or use -LiteralId for an id that holds them.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "ClusterNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = "Id")]
[OutputType(typeof(ClusterNode))]
public sealed class SetClusterNodeCommand : StateWritingCmdlet
{
#pragma warning disable CS1591
    /// <summary><para type="description">Ids of the nodes to change, exactly (piped nodes bind by Id). Wildcard characters are refused: pipe Get-ClusterNode 'pattern' in to change every match.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "Id")]
    [Alias("NodeId")]
    [ArgumentCompleter(typeof(Completion.NodeIdCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Id { get; set; } = System.Array.Empty<string>();

    /// <summary><para type="description">Ids of the nodes to change, matched exactly, for ids written before ClusterState refused * ? [ ] (as -LiteralPath; -Id refuses those characters).</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = "LiteralId")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralId { get; set; }

    /// <summary><para type="description">New role: master, worker or leecher.</para></summary>
    [Parameter] [ArgumentCompleter(typeof(Completion.NodeRoleCompleter))] public string? Role { get; set; }
    /// <summary><para type="description">New status: online, offline or draining.</para></summary>
    [Parameter] [ArgumentCompleter(typeof(Completion.NodeStatusCompleter))] public string? Status { get; set; }
    /// <summary><para type="description">Replace the peer list.</para></summary>
    [Parameter] [AllowEmptyCollection] public string[]? Peers { get; set; }
    /// <summary><para type="description">Peers to add (kept once).</para></summary>
    [Parameter] [ArgumentCompleter(typeof(Completion.NodeIdCompleter))] public string[]? AddPeer { get; set; }
    /// <summary><para type="description">Peers to remove.</para></summary>
    [Parameter] [ArgumentCompleter(typeof(Completion.NodeIdCompleter))] public string[]? RemovePeer { get; set; }
    /// <summary><para type="description">Replace the capability list.</para></summary>
    [Parameter] [AllowEmptyCollection] public string[]? Capabilities { get; set; }
    /// <summary><para type="description">Capabilities to add.</para></summary>
    [Parameter] [ArgumentCompleter(typeof(Completion.CapabilityCompleter))] public string[]? AddCapability { get; set; }
    /// <summary><para type="description">Capabilities to remove.</para></summary>
    [Parameter] [ArgumentCompleter(typeof(Completion.CapabilityCompleter))] public string[]? RemoveCapability { get; set; }
    /// <summary><para type="description">Number of CPU cores.</para></summary>
    [Parameter] public int? CpuCount { get; set; }
    /// <summary><para type="description">CPU load in percent (0-100).</para></summary>
    [Parameter] public float? CpuLoad { get; set; }
    /// <summary><para type="description">Number of GPUs.</para></summary>
    [Parameter] public int? GpuCount { get; set; }
    /// <summary><para type="description">Whether the GPUs accept work.</para></summary>
    [Parameter] public bool? GpuAvailable { get; set; }
    /// <summary><para type="description">Total memory in bytes.</para></summary>
    [Parameter] public long? MemoryTotal { get; set; }
    /// <summary><para type="description">Available memory in bytes.</para></summary>
    [Parameter] public long? MemoryAvailable { get; set; }
    /// <summary><para type="description">Total disk in bytes.</para></summary>
    [Parameter] public long? DiskTotal { get; set; }
    /// <summary><para type="description">Available disk in bytes.</para></summary>
    [Parameter] public long? DiskAvailable { get; set; }
    /// <summary><para type="description">Accept a role or status outside the vocabulary of the schema.</para></summary>
    [Parameter] public SwitchParameter Force { get; set; }
#pragma warning restore CS1591

    /// <inheritdoc />
    protected override bool AllowUnknownValues => Force;

    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() =>
    {
        foreach (var id in AddressedIds(Id, LiteralId, "Id", "Get-ClusterNode"))
        {
            if (!ShouldProcessItem(id, "Change node")) continue;
            ChangeSet.UpdateNodes.Add(new NodeUpdate
            {
                Id = id, Role = Role, Status = Status,
                Peers = Peers, AddPeers = AddPeer, RemovePeers = RemovePeer,
                Capabilities = Capabilities, AddCapabilities = AddCapability, RemoveCapabilities = RemoveCapability,
                CpuCount = CpuCount, CpuLoad = CpuLoad, GpuCount = GpuCount, GpuAvailable = GpuAvailable,
                MemoryTotal = MemoryTotal, MemoryAvailable = MemoryAvailable, DiskTotal = DiskTotal, DiskAvailable = DiskAvailable,
            });
        }
    });

    /// <inheritdoc />
    protected override void WriteChanged(ClusterSnapshot after) =>
        WriteResult(after.FindNodes(new NodeQuery { Id = Literal(ChangeSet.UpdateNodes.Select(n => n.Id).Distinct()) }), ErrorIds.NodeNotFound, "node");
}
