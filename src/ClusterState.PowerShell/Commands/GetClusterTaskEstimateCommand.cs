using System;
using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Estimates how long tasks will take to complete.</para>
/// <para type="description">Get-ClusterTaskEstimate applies the seed's estimate_time_to_completion. Tasks that are not pending, assigned or running get 0. Otherwise the estimate is the mean execution time (completed_at − started_at) of completed tasks of the same type, empty when there are none; a running task subtracts the time since its started_at, never going below 0. BasedOnTasks says how many completed tasks the mean used.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "ClusterTaskEstimate")]
[OutputType(typeof(TaskEstimate))]
public sealed class GetClusterTaskEstimateCommand : StateCmdlet
{
    /// <summary><para type="description">Task ids (wildcards allowed). Binds the TaskId of piped tasks.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(Completion.TaskIdCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] TaskId { get; set; } = Array.Empty<string>();

    /// <summary><para type="description">The moment to estimate from (default: now); running tasks subtract the time since they started.</para></summary>
    [Parameter]
    public DateTime? AsOf { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() =>
    {
        var now = (AsOf ?? DateTime.UtcNow).ToUniversalTime();
        WriteResult(ClusterAnalysis.GetTaskEstimates(Snapshot, new TaskQuery { Id = TaskId }, now), ErrorIds.TaskNotFound, "task");
    });
}
