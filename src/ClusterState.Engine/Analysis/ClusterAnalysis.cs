using System;
using ClusterState.Analysis;
using ClusterState.Query;

namespace ClusterState;

/// <summary>Computed views of a snapshot (SPEC.md §3), all evaluated on the columns.</summary>
public static class ClusterAnalysis
{
    /// <summary>The status summary.</summary>
    public static ClusterStatus GetStatus(ClusterSnapshot snapshot)
    {
        return From(snapshot, StatusSummary.Compute(snapshot));
    }

    /// <summary>The availability map of the content selected by <paramref name="query"/>.</summary>
    public static QueryResult<ContentMapEntry> GetContentMap(ClusterSnapshot snapshot, ContentQuery query)
    {
        var columns = snapshot.Content;
        return Filters.Content(snapshot, query).Project(row => From(snapshot, ContentAvailability.Entry(columns, row)));
    }

    /// <summary>Utilization of the nodes selected by <paramref name="query"/>.</summary>
    public static QueryResult<NodeUtilization> GetUtilization(ClusterSnapshot snapshot, NodeQuery query)
    {
        return Filters.Nodes(snapshot, query).Project(row => From(snapshot, Utilization.Compute(snapshot, row)));
    }

    /// <summary>Task execution metrics.</summary>
    public static TaskMetrics GetTaskMetrics(ClusterSnapshot snapshot)
    {
        return From(snapshot, TaskStatistics.Metrics(snapshot));
    }

    /// <summary>Completion estimates of the given tasks at <paramref name="now"/>.</summary>
    public static QueryResult<TaskEstimate> GetTaskEstimates(ClusterSnapshot snapshot, TaskQuery query, DateTime now)
    {
        return Filters.Tasks(snapshot, query).Project(row => From(snapshot, TaskStatistics.Estimate(snapshot, row, now)));
    }

    /// <summary>The network topology.</summary>
    public static ClusterTopology GetTopology(ClusterSnapshot snapshot)
    {
        return From(snapshot, Topology.Build(snapshot));
    }

    /// <summary>The topology as a Graphviz DOT graph.</summary>
    public static string ToDot(ClusterTopology topology, string name) => Topology.ToDot(topology, name);

    /// <summary>The topology as a Mermaid flowchart.</summary>
    public static string ToMermaid(ClusterTopology topology) => Topology.ToMermaid(topology);

    /// <summary>
    /// The best node for one task (find_available_node_for_task). The result says whether the
    /// task was found, whether it can be placed, and the node with its score when one qualifies.
    /// </summary>
    public static PlacementResult FindNodeForTask(ClusterSnapshot snapshot, string taskId)
    {
        var found = Filters.Tasks(snapshot, new TaskQuery { Id = new[] { taskId } });
        if (found.Count == 0) return new PlacementResult(taskId, PlacementStatus.TaskNotFound, null, null);
        int row = found.Rows[0];
        var tasks = snapshot.Tasks;
        string status = tasks.Status.Get(row) ?? "";
        if (!PlacementPlanner.IsPlaceable(tasks, row)) return new PlacementResult(taskId, PlacementStatus.NotPlaceable, status, null);
        var (cpu, gpu, memory) = PlacementPlanner.Requirements(tasks, row);
        var (node, score) = new PlacementPlanner(snapshot).Choose(cpu, gpu, memory);
        if (node < 0) return new PlacementResult(taskId, PlacementStatus.NoCandidate, status, null);
        var chosen = new NodeForTask
        {
            TaskId = tasks.Id.Get(row) ?? taskId,
            Node = snapshot.Nodes.Read(node),
            Score = score,
            CpuCores = cpu,
            GpuCores = gpu,
            MemoryMB = memory,
            StatePath = snapshot.StatePath,
        };
        chosen.NodeId = chosen.Node.Id;
        return new PlacementResult(chosen.TaskId, PlacementStatus.Placed, status, chosen);
    }

    /// <summary><paramref name="item"/>, remembering the state it was computed from.</summary>
    private static T From<T>(ClusterSnapshot snapshot, T item) where T : IFromState
    {
        item.StatePath = snapshot.StatePath;
        return item;
    }
}
