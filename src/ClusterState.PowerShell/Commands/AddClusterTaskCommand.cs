using System;
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
