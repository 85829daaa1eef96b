using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Computes the resource utilization of nodes: CPU, memory, disk and GPU, active tasks, success rate and load index.</para>
/// <para type="description">Get-ClusterNodeUtilization applies the seed's get_node_resource_utilization to each node: CPU = cpu_load/100; memory and disk = 1 − available/total (0 when the total is 0); GPU = GPU cores of the node's assigned and running tasks over its gpu_count, at most 1, and empty for nodes without GPUs; ActiveTasks = its assigned and running tasks; SuccessRate = completed/(completed+failed), empty when none ended; LoadIndex = the mean of the utilizations that are not empty. The task aggregates come from one pass over the task columns, shared by every node. Nodes can be piped in from Get-ClusterNode.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "ClusterNodeUtilization")]
[OutputType(typeof(NodeUtilization))]
public sealed class GetClusterNodeUtilizationCommand : StateCmdlet
{
    /// <summary><para type="description">Node ids (wildcards allowed); without it every node. Binds the Id of piped nodes.</para></summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("NodeId")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(Completion.NodeIdCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Id { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() =>
        WriteResult(ClusterAnalysis.GetUtilization(Snapshot, new NodeQuery { Id = Id }), ErrorIds.NodeNotFound, "node"));
}
