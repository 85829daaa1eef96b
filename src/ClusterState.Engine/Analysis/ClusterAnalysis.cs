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
        var status = StatusSummary.Compute(snapshot);
        status.StatePath = snapshot.StatePath;
        return status;
    }

    /// <summary>The availability map of the content selected by <paramref name="query"/>.</summary>
    public static QueryResult<ContentMapEntry> GetContentMap(ClusterSnapshot snapshot, ContentQuery query)
    {
        var columns = snapshot.Content;
        return Filters.Content(snapshot, query).Project(row =>
        {
            var entry = ContentAvailability.Entry(columns, row);
            entry.StatePath = snapshot.StatePath;
            return entry;
        });
    }

    /// <summary>Utilization of the nodes selected by <paramref name="query"/>.</summary>
    public static QueryResult<NodeUtilization> GetUtilization(ClusterSnapshot snapshot, NodeQuery query)
    {
        return Filters.Nodes(snapshot, query).Project(row =>
        {
            var utilization = Utilization.Compute(snapshot, row);
            utilization.StatePath = snapshot.StatePath;
            return utilization;
        });
    }

    /// <summary>Task execution metrics.</summary>
    public static TaskMetrics GetTaskMetrics(ClusterSnapshot snapshot)
    {
        var metrics = TaskStatistics.Metrics(snapshot);
        metrics.StatePath = snapshot.StatePath;
        return metrics;
    }

    /// <summary>Completion estimates of the given tasks at <paramref name="now"/>.</summary>
    public static QueryResult<TaskEstimate> GetTaskEstimates(ClusterSnapshot snapshot, TaskQuery query, DateTime now)
    {
        return Filters.Tasks(snapshot, query).Project(row =>
        {
            var estimate = TaskStatistics.Estimate(snapshot, row, now);
            estimate.StatePath = snapshot.StatePath;
            return estimate;
        });
    }

    /// <summary>The network topology.</summary>
    public static ClusterTopology GetTopology(ClusterSnapshot snapshot)
    {
        var topology = Topology.Build(snapshot);
        topology.StatePath = snapshot.StatePath;
        return topology;
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
}
