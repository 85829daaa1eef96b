using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Gets tasks of a cluster state by id.</para>
/// <para type="description">Get-ClusterTask emits ClusterTask objects. Without -Id it emits every task; ids may contain wildcards. An -Id without wildcards that matches no task writes a non-terminating TaskNotFound error. Use Find-ClusterTask to filter by status, type, node or resources.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "ClusterTask", DefaultParameterSetName = "Id")]
[OutputType(typeof(ClusterTask))]
public sealed class GetClusterTaskCommand : StateCmdlet
{
    /// <summary><para type="description">Task ids; wildcards are allowed.</para></summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "Id")]
    [Alias("TaskId")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(Completion.TaskIdCompleter))]
    public string[]? Id { get; set; }

    /// <summary><para type="description">Task ids matched exactly: * ? [ ] have no wildcard meaning (as -LiteralPath). For ids written before ClusterState refused these characters.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = "LiteralId")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralId { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() =>
    {
        var query = new TaskQuery { Id = LiteralId is null ? Id : Literal(LiteralId) };
        WriteResult(SnapshotFor(StatePath, ClusterSchema.Names.Tasks, query).FindTasks(query), ErrorIds.TaskNotFound, "task");
    });
}
