using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Waits until tasks reach a status (completed or failed, by default), for scripts.</para>
/// <para type="description">Wait-ClusterTask returns the tasks (as Get-ClusterTask objects) as soon as every one of them has one of the -Status values, checking at each commit (it watches state_metadata.json, so it answers within a fraction of a second of the commit). When -Timeout seconds pass first it fails with WaitTimeout (OperationTimeout) naming the tasks still waiting and their status. An unknown id is a TaskNotFound error at once. Ids also bind from the pipeline (Find-ClusterTask ... | Wait-ClusterTask).</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Wait, "ClusterTask")]
[OutputType(typeof(ClusterTask))]
public sealed class WaitClusterTaskCommand : StateCmdlet
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _ids = new();

    /// <summary><para type="description">The tasks to wait for.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("TaskId")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(Completion.TaskIdCompleter))]
    public string[] Id { get; set; } = Array.Empty<string>();

    /// <summary><para type="description">The statuses that end the wait (default: completed, failed, cancelled).</para></summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(Completion.TaskStatusCompleter))]
    public string[] Status { get; set; } = Vocabularies.FinishedTaskStatuses.ToArray();

    /// <summary><para type="description">Seconds to wait before failing with WaitTimeout (default 300).</para></summary>
    [Parameter]
    [ValidateRange(0, 31_536_000)]
    public double Timeout { get; set; } = 300;

    /// <inheritdoc />
    protected override void ProcessRecord() => _ids.AddRange(Id);

    /// <inheritdoc />
    protected override void EndProcessing() => Run(() =>
    {
        TaskWaitResult result;
        try
        {
            result = new TaskWaiter(ResolveSource(StatePath)).Wait(_ids, Status, TimeSpan.FromSeconds(Timeout), _stop.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        foreach (var missing in result.MissingIds) WriteNotFound(ErrorIds.TaskNotFound, "task", missing);
        WriteObject(result.Tasks, enumerateCollection: true);
    });

    /// <inheritdoc />
    protected override void StopProcessing() => _stop.Cancel();
}
