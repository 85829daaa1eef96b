using System;
using System.Collections.Generic;
using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

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
