using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace ClusterState.Storage;

/// <summary>
/// What removing a node does to the tasks assigned to it. A task left pointing at a removed node
/// is stranded: nothing schedules it and an edit that assigns it fails. So a removal is refused
/// (NodeHasTasks) while any task of the state would still name the node after the commit, unless
/// the change set asks for <see cref="ChangeSet.RequeueTasksOfRemovedNodes"/>: then, in the same
/// commit, its unfinished tasks go back to pending (assignment and started_at cleared) and its
/// finished ones (completed, failed, cancelled) lose the assignment but keep their status and
/// times, since running a finished task again is not what removing a node means.
/// </summary>
internal static class RemovedNodeTasks
{
    private const int ShownIds = 5;

    /// <summary>The task updates that requeue the removed nodes' tasks (empty when there are none); throws NodeHasTasks when they are not asked for.</summary>
    public static List<TaskUpdate> Plan(ClusterSnapshot s, ChangeSet changes)
    {
        var result = new List<TaskUpdate>();
        // A node removed and added again in the same change set keeps its tasks.
        var removed = changes.RemoveNodes.Except(changes.AddNodes.Select(n => n.Id), StringComparer.Ordinal).Distinct(StringComparer.Ordinal).ToArray();
        if (removed.Length == 0) return result;
        var nodeOf = NodeMatcher(s, removed);
        // Tasks the same change set removes, reassigns or unassigns are not left behind; nor are
        // those it sets back to pending, which clears the assignment (unless they are pending already).
        var handled = new HashSet<string>(changes.RemoveTasks, StringComparer.Ordinal);
        var requeued = new HashSet<string>(StringComparer.Ordinal);
        foreach (var u in changes.UpdateTasks)
        {
            if (u.AssignedTo is not null || u.Unassign) handled.Add(u.Id);
            else if (string.Equals(u.Status, Vocabularies.Pending, StringComparison.OrdinalIgnoreCase)) requeued.Add(u.Id);
        }
        var perNode = new int[removed.Length];
        var tasks = s.Tasks;
        foreach (int row in tasks.Rows)
        {
            if (tasks.AssignedTo.IsNull(row)) continue;
            var assigned = tasks.AssignedTo.GetBytes(row);
            int node = nodeOf(assigned);
            if (node < 0) continue;
            string? id = tasks.Id.Get(row);
            string? status = tasks.Status.Get(row);
            if (id is null || handled.Contains(id)) continue;
            if (requeued.Contains(id) && !string.Equals(status, Vocabularies.Pending, StringComparison.OrdinalIgnoreCase)) continue;
            perNode[node]++;
            bool finished = Vocabularies.FinishedTaskStatuses.Contains(status, StringComparer.OrdinalIgnoreCase);
            result.Add(finished ? new TaskUpdate { Id = id, Unassign = true } : new TaskUpdate { Id = id, Status = Vocabularies.Pending, Unassign = true });
        }
        if (result.Count == 0 || changes.RequeueTasksOfRemovedNodes) return result;

        int unfinished = result.Count(u => u.Status is not null);
        var nodes = string.Join(", ", removed.Select((id, i) => (id, n: perNode[i])).Where(x => x.n > 0).Select(x => $"'{IdRules.Printable(x.id)}' ({x.n})"));
        var examples = string.Join(", ", result.Take(ShownIds).Select(u => IdRules.Printable(u.Id))) + (result.Count > ShownIds ? ", …" : "");
        throw new ClusterStateException(ErrorIds.NodeHasTasks, ClusterStateErrorKind.Conflict,
            $"{result.Count} task(s) are still assigned to the node(s) to remove: {nodes}; {unfinished} of them not finished (e.g. {examples}). "
            + "Reassign or remove them first, or ask for them to be released with the node(s): the unfinished ones return to pending and the finished ones are unassigned in the same commit.",
            removed[Array.FindIndex(perNode, n => n > 0)]);
    }

    private delegate int Matcher(ReadOnlySpan<byte> assignedTo);

    /// <summary>
    /// Which removed node (an index into <paramref name="removed"/>, or -1) an assigned_to value
    /// names, exactly as the commit's node lookup compares. A few nodes are compared byte by byte
    /// (cheaper than hashing every task's value); many go through the snapshot's node index, so
    /// removing a thousand nodes costs one hash lookup per task, not a thousand comparisons.
    /// </summary>
    private static Matcher NodeMatcher(ClusterSnapshot s, string[] removed)
    {
        var keys = removed.Select(id => Encoding.UTF8.GetBytes(id)).ToArray();
        if (keys.Length <= 8)
        {
            return value =>
            {
                for (int i = 0; i < keys.Length; i++)
                {
                    if (keys[i].Length == value.Length && value.SequenceEqual(keys[i])) return i;
                }
                return -1;
            };
        }
        var index = SnapshotIndexes.NodeIds(s);
        var removedOfRow = new Dictionary<int, int>();
        for (int i = 0; i < removed.Length; i++)
        {
            if (index.Find(removed[i]) is int row and >= 0) removedOfRow.TryAdd(row, i);
        }
        return value => index.Find(value) is int row and >= 0 && removedOfRow.TryGetValue(row, out int i) ? i : -1;
    }

    /// <summary>The change set with the requeue updates after its own task updates (for planning, and so the commit record holds them).</summary>
    public static ChangeSet With(ChangeSet c, List<TaskUpdate> requeue) => new()
    {
        ExpectedGeneration = c.ExpectedGeneration,
        Force = c.Force,
        RequeueTasksOfRemovedNodes = c.RequeueTasksOfRemovedNodes,
        AddNodes = c.AddNodes,
        UpdateNodes = c.UpdateNodes,
        RemoveNodes = c.RemoveNodes,
        AddTasks = c.AddTasks,
        UpdateTasks = c.UpdateTasks.Concat(requeue).ToList(),
        RemoveTasks = c.RemoveTasks,
        AddContent = c.AddContent,
        UpdateContent = c.UpdateContent,
        RemoveContent = c.RemoveContent,
    };
}
