using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

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
