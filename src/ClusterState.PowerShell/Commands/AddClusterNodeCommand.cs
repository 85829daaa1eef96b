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
