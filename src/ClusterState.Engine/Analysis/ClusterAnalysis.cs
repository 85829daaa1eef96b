using System;
using System.Collections.Generic;
using System.Linq;
using ClusterState.Analysis;
using ClusterState.Query;

namespace ClusterState;

/// <summary>Computed views of a snapshot (SPEC.md §3), all evaluated on the columns.</summary>
public static class ClusterAnalysis
{
    /// <summary>The status summary.</summary>
    public static ClusterStatus GetStatus(ClusterSnapshot snapshot) => StatusSummary.Compute(snapshot);

    /// <summary>The availability map of the content selected by <paramref name="query"/>.</summary>
    public static QueryResult<ContentMapEntry> GetContentMap(ClusterSnapshot snapshot, ContentQuery query)
    {
        var columns = snapshot.Content;
        return Filters.Content(snapshot, query).Project(row => ContentAvailability.Entry(columns, row));
    }

    /// <summary>Utilization of the nodes selected by <paramref name="query"/>.</summary>
    public static QueryResult<NodeUtilization> GetUtilization(ClusterSnapshot snapshot, NodeQuery query)
    {
        return Filters.Nodes(snapshot, query).Project(row => Utilization.Compute(snapshot, row));
    }

    /// <summary>Task execution metrics.</summary>
    public static TaskMetrics GetTaskMetrics(ClusterSnapshot snapshot) => TaskStatistics.Metrics(snapshot);

    /// <summary>Completion estimates of the given tasks at <paramref name="now"/>.</summary>
    public static QueryResult<TaskEstimate> GetTaskEstimates(ClusterSnapshot snapshot, TaskQuery query, DateTime now)
    {
        return Filters.Tasks(snapshot, query).Project(row => TaskStatistics.Estimate(snapshot, row, now));
    }

    /// <summary>The network topology.</summary>
    public static ClusterTopology GetTopology(ClusterSnapshot snapshot) => Topology.Build(snapshot);

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
        };
        chosen.NodeId = chosen.Node.Id;
        return new PlacementResult(chosen.TaskId, PlacementStatus.Placed, status, chosen);
    }
}

/// <summary>Batch placement (SPEC.md §3).</summary>
public static class Placement
{
    /// <summary>
    /// Assigns every pending task (or the pending ones among <paramref name="taskIds"/>) in state
    /// order by the placement rule; each assignment consumes the chosen node's free memory and
    /// GPUs for the tasks after it. Tasks no node can take are left out of the plan.
    /// </summary>
    public static IReadOnlyList<NodeForTask> Plan(ClusterSnapshot snapshot, IReadOnlyCollection<string>? taskIds = null)
    {
        var tasks = snapshot.Tasks;
        var planner = new PlacementPlanner(snapshot);
        HashSet<string>? wanted = taskIds is { Count: > 0 } ? new HashSet<string>(taskIds, StringComparer.Ordinal) : null;
        var plan = new List<NodeForTask>();
        for (int row = 0; row < tasks.Count; row++)
        {
            if (TaskStatusBytes.Classify(tasks.Status.GetBytes(row)) != TaskState.Pending) continue;
            string id = tasks.Id.Get(row) ?? "";
            if (wanted is not null && !wanted.Contains(id)) continue;
            var (cpu, gpu, memory) = PlacementPlanner.Requirements(tasks, row);
            var (node, score) = planner.Choose(cpu, gpu, memory);
            if (node < 0) continue;
            planner.Consume(node, gpu, memory);
            var chosen = snapshot.Nodes.Read(node);
            plan.Add(new NodeForTask { TaskId = id, NodeId = chosen.Id, Node = chosen, Score = score, CpuCores = cpu, GpuCores = gpu, MemoryMB = memory });
        }
        return plan;
    }

    /// <summary>The change set that commits a plan: each task becomes assigned to its node.</summary>
    public static ChangeSet ToChangeSet(IEnumerable<NodeForTask> plan, long generation)
    {
        var changes = new ChangeSet { ExpectedGeneration = generation };
        foreach (var p in plan) changes.UpdateTasks.Add(new TaskUpdate { Id = p.TaskId, Status = Vocabularies.Assigned, AssignedTo = p.NodeId });
        return changes;
    }
}

/// <summary>How a placement lookup ended.</summary>
public enum PlacementStatus
{
    /// <summary>A node was chosen.</summary>
    Placed,
    /// <summary>The task id is not in the state.</summary>
    TaskNotFound,
    /// <summary>The task is assigned, running, completed or failed.</summary>
    NotPlaceable,
    /// <summary>No online worker meets the requirements.</summary>
    NoCandidate,
}

/// <summary>The outcome of <see cref="ClusterAnalysis.FindNodeForTask"/>.</summary>
/// <param name="TaskId">The task asked about.</param>
/// <param name="Status">How the lookup ended.</param>
/// <param name="TaskStatus">The task's status, when it was found.</param>
/// <param name="Node">The chosen node, when one was.</param>
public sealed record PlacementResult(string TaskId, PlacementStatus Status, string? TaskStatus, NodeForTask? Node);
