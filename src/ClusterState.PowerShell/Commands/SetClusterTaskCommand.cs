using System;
using System.Linq;
using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

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
            if (!ShouldProcessItem(id, Status is null ? "Change task" : $"Set task status to {Status}")) continue;
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
