using System;
using System.Collections.Generic;
using ClusterState.Analysis;
using ClusterState.Query;

namespace ClusterState;

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
        foreach (int row in tasks.Rows)
        {
            if (TaskStatusBytes.Classify(tasks.Status.GetBytes(row)) != TaskState.Pending) continue;
            string id = tasks.Id.Get(row) ?? "";
            if (wanted is not null && !wanted.Contains(id)) continue;
            var (cpu, gpu, memory) = PlacementPlanner.Requirements(tasks, row);
            var (node, score) = planner.Choose(cpu, gpu, memory);
            if (node < 0) continue;
            planner.Consume(node, gpu, memory);
            var chosen = snapshot.Nodes.Read(node);
            plan.Add(new NodeForTask { TaskId = id, NodeId = chosen.Id, Node = chosen, Score = score, CpuCores = cpu, GpuCores = gpu, MemoryMB = memory, StatePath = snapshot.StatePath });
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
