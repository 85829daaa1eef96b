using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Computes task execution metrics: counts by status and type, completion rate and average execution time.</para>
/// <para type="description">Get-ClusterTaskMetric applies the seed's get_task_execution_metrics over the task columns: TotalTasks, CompletedTasks, FailedTasks, PendingTasks, RunningTasks (assigned or running), CompletionRate = completed/(completed+failed) (0 when none ended), AverageExecutionTime = the mean of completed_at − started_at in seconds over completed tasks that have both (schema version 2; empty when there are none), and TasksByType and TasksByStatus.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "ClusterTaskMetric")]
[OutputType(typeof(TaskMetrics))]
public sealed class GetClusterTaskMetricCommand : StateCmdlet
{
    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() => WriteObject(ClusterAnalysis.GetTaskMetrics(Snapshot)));
}
