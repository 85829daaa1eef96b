using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Gets tasks of a cluster state by id.</para>
/// <para type="description">Get-ClusterTask emits ClusterTask objects. Without -Id it emits every task; ids may contain wildcards. An -Id without wildcards that matches no task writes a non-terminating TaskNotFound error. Use Find-ClusterTask to filter by status, type, node or resources.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "ClusterTask")]
[OutputType(typeof(ClusterTask))]
public sealed class GetClusterTaskCommand : StateReadingCmdlet
{
    /// <summary><para type="description">Task ids; wildcards are allowed.</para></summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("TaskId")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(Completion.TaskIdCompleter))]
    public string[]? Id { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() =>
    {
        var query = new TaskQuery { Id = Id };
        WriteResult(SnapshotFor(StatePath, ClusterSchema.Names.Tasks, query).FindTasks(query), ErrorIds.TaskNotFound, "task");
    });
}
