using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Adds tasks to a cluster state in one atomic commit.</para>
/// <para type="description">Add-ClusterTask adds a task (pending by default) with its type, requirements and inputs; created_at and updated_at are the commit time. Without -Id a new id (task-&lt;uuid&gt;) is made. Parameters bind by property name, so task rows from Import-Csv can be piped in; the whole pipeline is one commit. An existing id is a DuplicateId error, an -AssignedTo node that does not exist is AssignedNodeNotFound, negative requirements are InvalidResourceValue, and a status outside the vocabulary needs -Force; nothing is written when any item is refused. Ids are at most 256 UTF-8 bytes, unique ignoring case (as lookups compare), and hold no control, bidirectional-override or wildcard (* ? [ ]) characters, lone surrogates or leading/trailing white space; the ids an item refers to follow the same rules; an id that breaks them is InvalidId.</para>
/// </summary>
[Cmdlet(VerbsCommon.Add, "ClusterTask", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ClusterTask))]
public sealed class AddClusterTaskCommand : StateWritingCmdlet
{
#pragma warning disable CS1591
    /// <summary><para type="description">The new task's id (default: task- and a new UUID).</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Id { get; set; }

    /// <summary><para type="description">The task type, e.g. inference or model_training.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completion.TaskTypeCompleter))]
    [ValidateNotNullOrEmpty]
    public string Type { get; set; } = "";

    /// <summary><para type="description">Initial status (default pending).</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completion.TaskStatusCompleter))]
    public string Status { get; set; } = Vocabularies.Pending;

    /// <summary><para type="description">The node the task is assigned to.</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completion.NodeIdCompleter))]
    public string? AssignedTo { get; set; }

    /// <summary><para type="description">CPU cores required.</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)] public int? CpuCores { get; set; }
    /// <summary><para type="description">GPU cores required.</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)] public int? GpuCores { get; set; }
    /// <summary><para type="description">Memory required in MiB.</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)] public int? MemoryMB { get; set; }

    /// <summary><para type="description">The primary input CID.</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completion.CidCompleter))]
    public string? InputCid { get; set; }

    /// <summary><para type="description">All input CIDs (the primary one is added when missing).</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [AllowEmptyCollection]
    public string[]? InputCids { get; set; }

    /// <summary><para type="description">Accept a status outside the vocabulary of the schema.</para></summary>
    [Parameter] public SwitchParameter Force { get; set; }
#pragma warning restore CS1591

    /// <inheritdoc />
    protected override bool AllowUnknownValues => Force;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        string id = Id ?? "task-" + Guid.NewGuid().ToString("D");
        if (!ShouldProcess(id, $"Add {Status} {Type} task")) return;
        var inputs = (InputCids ?? Array.Empty<string>()).ToList();
        if (InputCid is not null && !inputs.Contains(InputCid)) inputs.Insert(0, InputCid);
        ChangeSet.AddTasks.Add(new ClusterTask
        {
            Id = id,
            Type = Type,
            Status = Status,
            AssignedTo = AssignedTo,
            Resources = CpuCores is null && GpuCores is null && MemoryMB is null ? null
                : new TaskResources { CpuCores = CpuCores, GpuCores = GpuCores, MemoryMB = MemoryMB },
            InputCid = InputCid,
            InputCids = inputs.ToArray(),
        });
    }

    /// <inheritdoc />
    protected override void WriteChanged(ClusterSnapshot after) =>
        WriteResult(after.FindTasks(new TaskQuery { Id = Literal(ChangeSet.AddTasks.Select(t => t.Id)) }), ErrorIds.TaskNotFound, "task");
}

/// <summary>
/// <para type="synopsis">Changes tasks: status, assignment, outputs and requirements, in one atomic commit.</para>
/// <para type="description">Set-ClusterTask changes the given fields of each task. A status change sets updated_at, and started_at (running) or completed_at (completed, failed) when they are not yet set; setting a task back to pending clears its assignment and both times, so Find-ClusterTask -Status failed | Set-ClusterTask -Status pending requeues every failed task in one commit, all or nothing. Tasks piped in bind by Id. Unknown ids are TaskNotFound, assignment to an unknown node is AssignedNodeNotFound, a status outside the vocabulary needs -Force, and assigned or running without a node is refused; nothing is written then. The assigned node is checked only when the command sets -AssignedTo: a task whose node is already gone (left by an older version or another program) can still be completed, requeued or changed. -Id takes exact ids and refuses wildcard characters; pipe Get-ClusterTask 'pattern' in to change every match, or use -LiteralId for an id that holds them.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "ClusterTask", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = "Id")]
[OutputType(typeof(ClusterTask))]
public sealed class SetClusterTaskCommand : StateWritingCmdlet
{
#pragma warning disable CS1591
    /// <summary><para type="description">Ids of the tasks to change, exactly (piped tasks bind by Id). Wildcard characters are refused: pipe Get-ClusterTask 'pattern' in to change every match.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "Id")]
    [Alias("TaskId")]
    [ArgumentCompleter(typeof(Completion.TaskIdCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Id { get; set; } = Array.Empty<string>();

    /// <summary><para type="description">Ids of the tasks to change, matched exactly, for ids written before ClusterState refused * ? [ ] (as -LiteralPath; -Id refuses those characters).</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = "LiteralId")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralId { get; set; }

    /// <summary><para type="description">New status: pending, assigned, running, completed, failed or cancelled.</para></summary>
    [Parameter] [ArgumentCompleter(typeof(Completion.TaskStatusCompleter))] public string? Status { get; set; }
    /// <summary><para type="description">New task type.</para></summary>
    [Parameter] [ArgumentCompleter(typeof(Completion.TaskTypeCompleter))] public string? Type { get; set; }
    /// <summary><para type="description">Assign the tasks to this node.</para></summary>
    [Parameter] [ArgumentCompleter(typeof(Completion.NodeIdCompleter))] public string? AssignedTo { get; set; }
    /// <summary><para type="description">Remove the assignment.</para></summary>
    [Parameter] public SwitchParameter Unassign { get; set; }
    /// <summary><para type="description">The primary output CID.</para></summary>
    [Parameter] public string? OutputCid { get; set; }
    /// <summary><para type="description">Replace the output CIDs.</para></summary>
    [Parameter] [AllowEmptyCollection] public string[]? OutputCids { get; set; }
    /// <summary><para type="description">Output CIDs to add.</para></summary>
    [Parameter] public string[]? AddOutputCid { get; set; }
    /// <summary><para type="description">CPU cores required.</para></summary>
    [Parameter] public int? CpuCores { get; set; }
    /// <summary><para type="description">GPU cores required.</para></summary>
    [Parameter] public int? GpuCores { get; set; }
    /// <summary><para type="description">Memory required in MiB.</para></summary>
    [Parameter] public int? MemoryMB { get; set; }
    /// <summary><para type="description">Accept a status outside the vocabulary, or assigned/running without a node.</para></summary>
    [Parameter] public SwitchParameter Force { get; set; }
#pragma warning restore CS1591

    /// <inheritdoc />
    protected override bool AllowUnknownValues => Force;

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        // Not parameter sets: PowerShell would answer with its own AmbiguousParameterSet error, and
        // scripts (and tests/Write.Tests.ps1) rely on the documented ConflictingParameters id.
        if (Unassign && AssignedTo is not null)
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("-Unassign and -AssignedTo cannot be used together."),
                ErrorIds.ConflictingParameters, ErrorCategory.InvalidArgument, null));
    }

    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() =>
    {
        foreach (var id in AddressedIds(Id, LiteralId, "Id", "Get-ClusterTask"))
        {
            if (!ShouldProcess(id, Status is null ? "Change task" : $"Set task status to {Status}")) continue;
            ChangeSet.UpdateTasks.Add(new TaskUpdate
            {
                Id = id, Status = Status, Type = Type, AssignedTo = AssignedTo, Unassign = Unassign,
                OutputCid = OutputCid, OutputCids = OutputCids, AddOutputCids = AddOutputCid,
                CpuCores = CpuCores, GpuCores = GpuCores, MemoryMB = MemoryMB,
            });
        }
    });

    /// <inheritdoc />
    protected override void WriteChanged(ClusterSnapshot after) =>
        WriteResult(after.FindTasks(new TaskQuery { Id = Literal(ChangeSet.UpdateTasks.Select(t => t.Id).Distinct()) }), ErrorIds.TaskNotFound, "task");
}

/// <summary>
/// <para type="synopsis">Removes tasks from a cluster state in one atomic commit.</para>
/// <para type="description">Remove-ClusterTask removes the given tasks; piped tasks bind by Id and the whole pipeline is one commit. An unknown id is a TaskNotFound error and nothing is removed. -Id takes exact ids and refuses wildcard characters (InvalidId); pipe Get-ClusterTask 'pattern' in to remove every match, or use -LiteralId for an id that holds them. Asks for confirmation by default (ConfirmImpact High).</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "ClusterTask", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "Id")]
[OutputType(typeof(ClusterTask))]
public sealed class RemoveClusterTaskCommand : StateRemovingCmdlet<ClusterTask>
{
    /// <summary><para type="description">Ids of the tasks to remove, exactly (piped tasks bind by Id). Wildcard characters are refused: pipe Get-ClusterTask 'pattern' in to remove every match.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "Id")]
    [Alias("TaskId")]
    [ArgumentCompleter(typeof(Completion.TaskIdCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Id { get; set; } = Array.Empty<string>();

    /// <summary><para type="description">Ids of the tasks to remove, matched exactly, for ids written before ClusterState refused * ? [ ] (as -LiteralPath; -Id refuses those characters).</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = "LiteralId")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralId { get; set; }

    /// <inheritdoc />
    protected override List<string> RemovedIds => ChangeSet.RemoveTasks;

    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() => Remove(AddressedIds(Id, LiteralId, "Id", "Get-ClusterTask"), "Remove task"));

    /// <inheritdoc />
    protected override IEnumerable<ClusterTask> ReadItems(ClusterSnapshot before, string[] ids) => before.FindTasks(new TaskQuery { Id = ids }).Items;
}

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
