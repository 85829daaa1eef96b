using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Gets the nodes of a cluster state, filtered on the Arrow columns.</para>
/// <para type="description">Get-ClusterNode emits ClusterNode objects (Id, Role, Status, Peers, Capabilities and the resources flattened: CpuCount, CpuLoad, GpuCount, GpuAvailable, MemoryTotal, MemoryAvailable, DiskTotal, DiskAvailable). Filters run on the columns before any object is created; several values of one filter match any of them, several filters must all match. An -Id without wildcards that matches no node writes a non-terminating NodeNotFound error.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "ClusterNode", DefaultParameterSetName = "Id")]
[OutputType(typeof(ClusterNode))]
public sealed class GetClusterNodeCommand : StateCmdlet
{
    /// <summary><para type="description">Node ids; wildcards are allowed.</para></summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "Id")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(Completion.NodeIdCompleter))]
    public string[]? Id { get; set; }

    /// <summary><para type="description">Node ids matched exactly: * ? [ ] have no wildcard meaning (as -LiteralPath). For ids written before ClusterState refused these characters.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = "LiteralId")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralId { get; set; }

    /// <summary><para type="description">Roles to keep: master, worker, leecher.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(Completion.NodeRoleCompleter))]
    public string[]? Role { get; set; }

    /// <summary><para type="description">Statuses to keep: online, offline, draining.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(Completion.NodeStatusCompleter))]
    public string[]? Status { get; set; }

    /// <summary><para type="description">Keep nodes that list any of these capabilities.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(Completion.CapabilityCompleter))]
    public string[]? Capability { get; set; }

    /// <summary><para type="description">Keep only GPU nodes (gpu_count greater than 0 and gpu_available); -GpuAvailable:$false keeps the others.</para></summary>
    [Parameter]
    public SwitchParameter GpuAvailable { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() =>
    {
        var query = new NodeQuery
        {
            Id = LiteralId is null ? Id : Literal(LiteralId),
            Role = Role,
            Status = Status,
            Capability = Capability,
            GpuAvailable = SwitchValue(nameof(GpuAvailable), GpuAvailable),
        };
        WriteResult(SnapshotFor(StatePath, ClusterSchema.Names.Nodes, query).FindNodes(query), ErrorIds.NodeNotFound, "node");
    });
}
