using System;
using System.Collections.Generic;
using ClusterState.Schema;
using N = ClusterState.ClusterSchema.Names;

namespace ClusterState.Storage;

/// <summary>
/// Plans the task edit of a change set whose task updates all set resources and nothing else
/// (<see cref="ChangeRules.OnlyResources"/>: <c>$ids | Set-ClusterTask -MemoryMB 4096</c>, the
/// pipeline an operator runs most) without materialising the tasks. The general planner
/// (<see cref="EntityEdit{T}.Build"/>) reads each task's id, status, assignment and resources,
/// copies the object, applies the update, compares every field and validates the whole task:
/// half of a 10,000-task pipeline commit at the large scale and most of its allocation. Here each
/// task is read as its resources only, the update is applied to them by the same rule
/// (<see cref="ChangeRules.Apply(ClusterTask, TaskUpdate, DateTime)"/>), and the checks that the
/// task as left must pass are answered from the stored bytes; a row those answers do not clear
/// is read whole and validated by <see cref="ChangeRules.Validate(ClusterTask, bool, Func{string, bool}, bool)"/>,
/// so the errors and what passes are the general planner's.
/// </summary>
internal static class TaskResourceEdit
{
    /// <summary>What a resource update reads of a task here: its resources.</summary>
    private static readonly IReadOnlySet<string> Reads = new HashSet<string>(StringComparer.Ordinal) { N.Resources };

    /// <summary>The fields such an update changes: the time of the update always, the resources when a value differs.</summary>
    private static readonly IReadOnlySet<string> UpdatedAtOnly = new HashSet<string>(StringComparer.Ordinal) { N.UpdatedAt };
    private static readonly IReadOnlySet<string> UpdatedAtAndResources = new HashSet<string>(StringComparer.Ordinal) { N.UpdatedAt, N.Resources };

    /// <summary>
    /// The edit, or null when the change set adds or removes tasks or any task update does more
    /// than set resources (the general planner then plans it). <paramref name="find"/> resolves
    /// ids to rows exactly, as for the general planner.
    /// </summary>
    public static EntityEdit<ClusterTask>? TryPlan(ClusterSnapshot s, ChangeSet changes, DateTime now, Func<string, int> find)
    {
        var updates = changes.UpdateTasks;
        if (updates.Count == 0 || changes.AddTasks.Count > 0 || changes.RemoveTasks.Count > 0) return null;
        foreach (var u in updates)
        {
            if (!ChangeRules.OnlyResources(u)) return null;
        }
        var tasks = s.Tasks;
        var resources = TaskFields.Resources;
        var rows = new List<int>(updates.Count);
        var items = new List<ClusterTask>(updates.Count);
        var before = new List<TaskResources?>(updates.Count);
        var patchOf = new Dictionary<int, int>(updates.Count);
        foreach (var u in updates)
        {
            int row = find(u.Id);
            if (row < 0) throw EntityEdit<ClusterTask>.NotFound(ErrorIds.TaskNotFound, "task", u.Id);
            if (!patchOf.TryGetValue(row, out int k))
            {
                k = items.Count;
                var task = tasks.ReadOnly(row, Reads);
                task.Id = u.Id; // found exactly: the stored id
                before.Add(task.Resources is { } r ? resources.Copy(r, new TaskResources()) : null);
                items.Add(task);
                rows.Add(row);
                patchOf.Add(row, k);
            }
            ChangeRules.Apply(items[k], u, now);
        }
        bool resourcesChanged = false;
        for (int k = 0; k < items.Count; k++)
        {
            var task = items[k];
            if (!resourcesChanged)
                resourcesChanged = (before[k], task.Resources) switch
                {
                    (null, null) => false,
                    ({ } a, { } b) => resources.AnyChanged(a, b),
                    _ => true,
                };
            if (!Passes(tasks, rows[k], task, changes.Force))
            {
                // Read whole and checked as the general planner checks it: the same error, or none.
                var whole = tasks.ReadOnly(rows[k], ChangeRules.ResourceUpdateReads);
                whole.Resources = task.Resources;
                whole.UpdatedAt = now;
                ChangeRules.Validate(whole, changes.Force, _ => true, checkAssignment: false);
            }
        }
        return EntityEdit<ClusterTask>.Updating(tasks.Count, rows, items, resourcesChanged ? UpdatedAtAndResources : UpdatedAtOnly);
    }

    /// <summary>
    /// Whether the task as the update leaves it certainly passes ChangeRules.Validate (an update of
    /// resources assigns nothing, so its node is not checked): an id, a status of the vocabulary
    /// (unless forced; compared as stored bytes, case-sensitively, as Validate compares), a node
    /// for an assigned or running task, and no negative resource. False sends the row to Validate.
    /// </summary>
    private static bool Passes(TaskColumns tasks, int row, ClusterTask task, bool force)
    {
        if (string.IsNullOrWhiteSpace(task.Id)) return false;
        if (task.Resources is { } r && (r.CpuCores < 0 || r.GpuCores < 0 || r.MemoryMB < 0)) return false;
        if (force || tasks.Status.IsNull(row)) return true;
        var status = tasks.Status.GetBytes(row);
        var vocabulary = Vocabularies.TaskStatusesUtf8;
        for (int v = 0; v < vocabulary.Length; v++)
        {
            if (!status.SequenceEqual(vocabulary[v])) continue;
            return Vocabularies.TaskStatuses[v] is not (Vocabularies.Assigned or Vocabularies.Running)
                || (!tasks.AssignedTo.IsNull(row) && tasks.AssignedTo.GetBytes(row).Length > 0);
        }
        return false;
    }
}
