using System.Linq;
using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Adds nodes to a cluster state in one atomic commit.</para>
/// <para type="description">Add-ClusterNode adds a node with its role, status, peers, capabilities and resources. Every parameter binds by property name, so nodes from Get-ClusterNode (of another state) or Import-Csv can be piped in; the whole pipeline is one commit. An id that already exists is a DuplicateId error; roles and statuses outside master/worker/leecher and online/offline/draining are refused unless -Force is given; negative resources and a CPU load outside 0-100 are refused. Nothing is written when any item is refused. Ids are at most 256 UTF-8 bytes, unique ignoring case (as lookups compare), and hold no control, bidirectional-override or wildcard (* ? [ ]) characters, lone surrogates or leading/trailing white space; the ids an item refers to follow the same rules; an id that breaks them is InvalidId.</para>
/// </summary>
[Cmdlet(VerbsCommon.Add, "ClusterNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ClusterNode))]
public sealed class AddClusterNodeCommand : StateWritingCmdlet
{
#pragma warning disable CS1591 // documented by the para elements, which feed the help
    /// <summary><para type="description">The new node's id (usually its IPFS peer id).</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Id { get; set; } = "";

    /// <summary><para type="description">master, worker (default) or leecher.</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completion.NodeRoleCompleter))]
    public string Role { get; set; } = Vocabularies.Worker;

    /// <summary><para type="description">online (default), offline or draining.</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completion.NodeStatusCompleter))]
    public string Status { get; set; } = Vocabularies.Online;

    /// <summary><para type="description">Ids of the node's peers.</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowEmptyCollection]
    public string[]? Peers { get; set; }

    /// <summary><para type="description">Capabilities such as compute, storage or gpu.</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowEmptyCollection]
    public string[]? Capabilities { get; set; }

    /// <summary><para type="description">Number of CPU cores.</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)] public int? CpuCount { get; set; }
    /// <summary><para type="description">CPU load in percent (0-100).</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)] public float? CpuLoad { get; set; }
    /// <summary><para type="description">Number of GPUs.</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)] public int? GpuCount { get; set; }
    /// <summary><para type="description">Whether the GPUs accept work.</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)] public bool? GpuAvailable { get; set; }
    /// <summary><para type="description">Total memory in bytes.</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)] public long? MemoryTotal { get; set; }
    /// <summary><para type="description">Available memory in bytes.</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)] public long? MemoryAvailable { get; set; }
    /// <summary><para type="description">Total disk in bytes.</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)] public long? DiskTotal { get; set; }
    /// <summary><para type="description">Available disk in bytes.</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)] public long? DiskAvailable { get; set; }

    /// <summary><para type="description">Accept a role or status outside the vocabulary of the schema.</para></summary>
    [Parameter] public SwitchParameter Force { get; set; }
#pragma warning restore CS1591

    /// <inheritdoc />
    protected override bool AllowUnknownValues => Force;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (!ShouldProcess(Id, $"Add {Role} node")) return;
        bool anyResource = CpuCount is not null || CpuLoad is not null || GpuCount is not null || GpuAvailable is not null
            || MemoryTotal is not null || MemoryAvailable is not null || DiskTotal is not null || DiskAvailable is not null;
        ChangeSet.AddNodes.Add(new ClusterNode
        {
            Id = Id,
            Role = Role,
            Status = Status,
            Peers = Peers ?? System.Array.Empty<string>(),
            Capabilities = Capabilities ?? System.Array.Empty<string>(),
            Resources = anyResource
                ? new NodeResources
                {
                    CpuCount = CpuCount, CpuLoad = CpuLoad, GpuCount = GpuCount, GpuAvailable = GpuAvailable,
                    MemoryTotal = MemoryTotal, MemoryAvailable = MemoryAvailable, DiskTotal = DiskTotal, DiskAvailable = DiskAvailable,
                }
                : null,
        });
    }

    /// <inheritdoc />
    protected override void WriteChanged(ClusterSnapshot after) =>
        WriteResult(after.FindNodes(new NodeQuery { Id = Literal(ChangeSet.AddNodes.Select(n => n.Id)) }), ErrorIds.NodeNotFound, "node");
}

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
            if (!ShouldProcess(id, "Change node")) continue;
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

/// <summary>
/// <para type="synopsis">Removes nodes from a cluster state in one atomic commit.</para>
/// <para type="description">Remove-ClusterNode removes the given nodes; piped nodes bind by Id and the whole pipeline is one commit. A node that tasks are still assigned to is not removed: the command fails with NodeHasTasks, stating how many tasks (and how many of them are not finished) and the first task ids, unless the same pipeline's change reassigns or removes them. With -Force such a node is removed and, in the same commit, its unfinished tasks go back to pending (assignment and started_at cleared) and its finished tasks (completed, failed, cancelled) lose the assignment but keep their status and times. An unknown id is a NodeNotFound error and nothing is removed. Asks for confirmation by default (ConfirmImpact High); -Force does not skip it.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "ClusterNode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "Id")]
[OutputType(typeof(ClusterNode))]
public sealed class RemoveClusterNodeCommand : StateRemovingCmdlet<ClusterNode>
{
    /// <summary><para type="description">Ids of the nodes to remove, exactly (piped nodes bind by Id). Wildcard characters are refused: pipe Get-ClusterNode 'pattern' in to remove every match.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "Id")]
    [Alias("NodeId")]
    [ArgumentCompleter(typeof(Completion.NodeIdCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Id { get; set; } = System.Array.Empty<string>();

    /// <summary><para type="description">Ids of the nodes to remove, matched exactly, for ids written before ClusterState refused * ? [ ] (as -LiteralPath; -Id refuses those characters).</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = "LiteralId")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralId { get; set; }

    /// <summary><para type="description">Remove nodes that tasks are still assigned to: their unfinished tasks go back to pending and their finished tasks are unassigned, in the same commit.</para></summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected override System.Collections.Generic.List<string> RemovedIds => ChangeSet.RemoveNodes;

    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() =>
    {
        ChangeSet.RequeueTasksOfRemovedNodes = Force;
        Remove(AddressedIds(Id, LiteralId, "Id", "Get-ClusterNode"), Force ? "Remove node (its tasks go back to pending)" : "Remove node");
    });

    /// <inheritdoc />
    protected override System.Collections.Generic.IEnumerable<ClusterNode> ReadItems(ClusterSnapshot before, string[] ids) => before.FindNodes(new NodeQuery { Id = ids }).Items;
}
