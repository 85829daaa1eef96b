using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Finds tasks by status, type, assigned node and resource requirements, filtered on the Arrow columns.</para>
/// <para type="description">Find-ClusterTask evaluates every filter on the task columns before creating objects; without filters it returns every task. Several values of one filter match any of them; several filters must all match. The -Min* filters keep tasks whose requirement is at least the value; a task without a resources struct never matches them. Nodes piped in (from Get-ClusterNode or a grid selection) select the tasks assigned to them, in one scan.</para>
/// </summary>
[Cmdlet(VerbsCommon.Find, "ClusterTask", DefaultParameterSetName = FilterSet)]
[OutputType(typeof(ClusterTask))]
public sealed class FindClusterTaskCommand : StateCmdlet
{
    private const string FilterSet = "Filter";
    private const string NodeSet = "Node";
    private readonly List<string> _nodes = new();

    /// <summary><para type="description">Statuses to keep: pending, assigned, running, completed, failed, cancelled.</para></summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(Completion.TaskStatusCompleter))]
    public string[]? Status { get; set; }

    /// <summary><para type="description">Task types to keep.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(Completion.TaskTypeCompleter))]
    public string[]? Type { get; set; }

    /// <summary><para type="description">Keep tasks assigned to any of these node ids.</para></summary>
    [Parameter(ParameterSetName = FilterSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(Completion.NodeIdCompleter))]
    public string[]? AssignedTo { get; set; }

    /// <summary>
    /// <para type="description">The state directory (or its state_metadata.json), or the grpc:// URI of a ClusterState server. Defaults to the state the piped nodes were read from, then the session default set by Connect-ClusterState, then $env:CLUSTERSTATE_PATH and the usual locations.</para>
    /// </summary>
    // Bound from the piped nodes only: with -AssignedTo (the filter set) the command takes no
    // pipeline input, and a piped node must still be refused rather than lend the command its state.
    [Parameter(ParameterSetName = NodeSet, ValueFromPipelineByPropertyName = true)]
    [Parameter(ParameterSetName = FilterSet)]
    [Alias("Path")]
    [ValidateStatePath]
    public override string? StatePath { get => BoundStatePath; set => BoundStatePath = value; }

    /// <summary><para type="description">Nodes whose tasks to find (from Get-ClusterNode through the pipeline).</para></summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = NodeSet)]
    public ClusterNode[]? Node { get; set; }

    /// <summary><para type="description">Keep tasks that require at least this many CPU cores.</para></summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int? MinCpuCores { get; set; }

    /// <summary><para type="description">Keep tasks that require at least this many GPU cores.</para></summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int? MinGpuCores { get; set; }

    /// <summary><para type="description">Keep tasks that require at least this much memory, in MiB.</para></summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int? MinMemoryMB { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (ParameterSetName == NodeSet)
        {
            // Collect the piped nodes and scan the tasks once at the end.
            if (Node is not null) _nodes.AddRange(Node.Where(n => n is not null).Select(n => n.Id));
            return;
        }
        Run(() => WriteResult(Find(Query(AssignedTo)), ErrorIds.TaskNotFound, "task"));
    }

    private QueryResult<ClusterTask> Find(TaskQuery query) => SnapshotFor(StatePath, ClusterSchema.Names.Tasks, query).FindTasks(query);

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (ParameterSetName != NodeSet || _nodes.Count == 0) return;
        Run(() => WriteResult(Find(Query(_nodes)), ErrorIds.TaskNotFound, "task"));
    }

    private TaskQuery Query(IReadOnlyList<string>? assignedTo) => new()
    {
        Status = Status,
        Type = Type,
        AssignedTo = assignedTo,
        MinCpuCores = MinCpuCores,
        MinGpuCores = MinGpuCores,
        MinMemoryMB = MinMemoryMB,
    };
}
