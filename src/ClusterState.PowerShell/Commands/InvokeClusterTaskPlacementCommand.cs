using System;
using System.Collections.Generic;
using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Assigns pending tasks to nodes by the placement rule, in one atomic commit.</para>
/// <para type="description">Invoke-ClusterTaskPlacement applies the rule of Find-ClusterNodeForTask to every pending task in state order (or to the pending ones among -TaskId), where each assignment takes the chosen node's free memory and GPUs away for the tasks after it. The plan is computed while the writer lock is held, so it is based on exactly the generation it changes, and all assignments are committed at once. It emits the assignments (TaskId, NodeId, Score); with -WhatIf it emits the plan without committing. Tasks no node can take stay pending and are reported in a warning; when no task is placed nothing is committed and the generation stays as it is.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "ClusterTaskPlacement", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(NodeForTask))]
public sealed class InvokeClusterTaskPlacementCommand : StateCmdlet
{
    private static readonly string[] PendingStatus = { Vocabularies.Pending };
    private readonly List<string> _taskIds = new();


    /// <summary><para type="description">Place only these tasks (those among them that are pending); piped tasks bind by TaskId.</para></summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completion.TaskIdCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? TaskId { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (TaskId is not null) _taskIds.AddRange(TaskId);
    }

    /// <inheritdoc />
    protected override void EndProcessing() => Run(() =>
    {
        var source = ResolveSource(StatePath);
        IReadOnlyCollection<string>? only = _taskIds.Count > 0 ? _taskIds : null;
        var preview = Placement.Plan(OpenSnapshot(StatePath), only);
        if (!ShouldProcess(source.Location, $"Assign {preview.Count} pending task(s) to nodes"))
        {
            // -WhatIf (or a declined -Confirm): show the plan as objects, change nothing.
            WriteObject(preview, enumerateCollection: true);
            return;
        }
        IReadOnlyList<NodeForTask> committed = Array.Empty<NodeForTask>();
        int pending = 0;
        var result = source.Commit(current =>
        {
            committed = Placement.Plan(current, only);
            pending = current.FindTasks(new TaskQuery { Status = PendingStatus, Id = only is null ? null : Literal(only) }).Count; // exact, as the plan matches -TaskId
            return Placement.ToChangeSet(committed, current.Generation);
        });
        if (result.Changed) WriteVerbose($"Committed generation {result.Generation}: {committed.Count} task(s) assigned.");
        if (pending > committed.Count) WriteWarning($"{pending - committed.Count} pending task(s) found no node with the resources they require.");
        AfterCommit(result, source, () => WriteObject(committed, enumerateCollection: true));
    });
}
