using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Finds the best node for a task by the placement rule, with its score.</para>
/// <para type="description">Find-ClusterNodeForTask applies the seed's find_available_node_for_task. The task must exist and must not be assigned, running, completed or failed (otherwise a warning and no output). Missing requirements default to 1 CPU core, 0 GPUs and 256 MiB. Candidates are online workers with enough CPU cores, enough available memory and, when GPUs are required, enough GPUs with gpu_available. Score = 0.4·(1 − cpu_load/100) + 0.6·(memory_available / memory_total); the highest wins and ties go to the node that comes first in the state. Nothing is changed: Invoke-ClusterTaskPlacement commits assignments. Tasks can be piped in from Find-ClusterTask (their TaskId binds).</para>
/// </summary>
[Cmdlet(VerbsCommon.Find, "ClusterNodeForTask")]
[OutputType(typeof(NodeForTask))]
public sealed class FindClusterNodeForTaskCommand : StateCmdlet
{
    /// <summary><para type="description">The ids of the tasks to place (exact ids).</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completion.TaskIdCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] TaskId { get; set; } = System.Array.Empty<string>();

    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() =>
    {
        foreach (var id in TaskId)
        {
            var result = ClusterAnalysis.FindNodeForTask(Snapshot, id);
            switch (result.Status)
            {
                case PlacementStatus.Placed:
                    WriteObject(result.Node);
                    break;
                case PlacementStatus.TaskNotFound:
                    WriteNotFound(ErrorIds.TaskNotFound, "task", id);
                    break;
                case PlacementStatus.NotPlaceable:
                    WriteWarning($"Task '{result.TaskId}' is {result.TaskStatus}; only pending (or other unplaced) tasks get a node.");
                    break;
                default:
                    WriteWarning($"No online worker has the resources task '{result.TaskId}' requires.");
                    break;
            }
        }
    });
}
