using System;
using System.Collections.Generic;
using C = ClusterState.Schema.FieldCodecs;
using N = ClusterState.ClusterSchema.Names;

namespace ClusterState.Schema;

/// <summary>
/// The field table of <c>tasks</c> (SPEC.md §1; version 2 adds <c>started_at</c> and
/// <c>completed_at</c>), in Arrow field order, and of a task's <c>resources</c> struct.
/// <see cref="ClusterSchema.TaskType"/>, the batch builder and the commit's change detection are
/// made from it.
/// </summary>
internal static class TaskFields
{
    /// <summary>The fields of a task's <c>resources</c> struct (<see cref="TaskResources"/>).</summary>
    public static EntityFields<TaskResources> Resources { get; } = new(new EntityField<TaskResources>[]
    {
        new ValueField<TaskResources, int?>(N.CpuCores, C.Int32, nameof(TaskResources.CpuCores), r => r.CpuCores, (r, v) => r.CpuCores = v) { Updatable = true },
        new ValueField<TaskResources, int?>(N.GpuCores, C.Int32, nameof(TaskResources.GpuCores), r => r.GpuCores, (r, v) => r.GpuCores = v) { Updatable = true },
        new ValueField<TaskResources, int?>(N.MemoryMb, C.Int32, nameof(TaskResources.MemoryMB), r => r.MemoryMB, (r, v) => r.MemoryMB = v) { Updatable = true },
    });

    /// <summary>The fields of a task (<see cref="ClusterTask"/>).</summary>
    public static EntityFields<ClusterTask> Table => Slot.Current;

    /// <summary>Where <see cref="Table"/> is looked up (tests put a copy with one more field in force through it).</summary>
    public static TableSlot<ClusterTask> Slot { get; } = new(new(new EntityField<ClusterTask>[]
    {
        new ValueField<ClusterTask, string?>(N.Id, C.String, nameof(ClusterTask.Id), t => t.Id, (t, v) => t.Id = v!),
        new ValueField<ClusterTask, string?>(N.Type, C.String, nameof(ClusterTask.Type), t => t.Type, (t, v) => t.Type = v) { Updatable = true },
        new ValueField<ClusterTask, string?>(N.Status, C.String, nameof(ClusterTask.Status), t => t.Status, (t, v) => t.Status = v) { Updatable = true, Vocabulary = Vocabularies.TaskStatuses },
        new ValueField<ClusterTask, DateTime?>(N.CreatedAt, C.Timestamp, nameof(ClusterTask.CreatedAt), t => t.CreatedAt, (t, v) => t.CreatedAt = v),
        new ValueField<ClusterTask, DateTime?>(N.UpdatedAt, C.Timestamp, nameof(ClusterTask.UpdatedAt), t => t.UpdatedAt, (t, v) => t.UpdatedAt = v) { Updatable = true },
        new ValueField<ClusterTask, string?>(N.AssignedTo, C.String, nameof(ClusterTask.AssignedTo), t => t.AssignedTo, (t, v) => t.AssignedTo = v) { Updatable = true },
        new StructField<ClusterTask, TaskResources>(N.Resources, nameof(ClusterTask.Resources), t => t.Resources, (t, v) => t.Resources = v, Resources) { Updatable = true },
        new ValueField<ClusterTask, string?>(N.InputCid, C.String, nameof(ClusterTask.InputCid), t => t.InputCid, (t, v) => t.InputCid = v),
        new ValueField<ClusterTask, string?>(N.OutputCid, C.String, nameof(ClusterTask.OutputCid), t => t.OutputCid, (t, v) => t.OutputCid = v) { Updatable = true },
        new ValueField<ClusterTask, string[]>(N.InputCids, C.StringList, nameof(ClusterTask.InputCids), t => t.InputCids, (t, v) => t.InputCids = v),
        new ValueField<ClusterTask, string[]>(N.OutputCids, C.StringList, nameof(ClusterTask.OutputCids), t => t.OutputCids, (t, v) => t.OutputCids = v) { Updatable = true },
        new ValueField<ClusterTask, DateTime?>(N.StartedAt, C.Timestamp, nameof(ClusterTask.StartedAt), t => t.StartedAt, (t, v) => t.StartedAt = v) { SinceVersion = 2, Updatable = true, ShownAfter = N.UpdatedAt },
        new ValueField<ClusterTask, DateTime?>(N.CompletedAt, C.Timestamp, nameof(ClusterTask.CompletedAt), t => t.CompletedAt, (t, v) => t.CompletedAt = v) { SinceVersion = 2, Updatable = true, ShownAfter = N.StartedAt },
    }, Flattened) { ItemName = "task" });

    private static Dictionary<string, string> Flattened => new()
    {
        [nameof(ClusterTask.CpuCores)] = "computed: Resources.CpuCores",
        [nameof(ClusterTask.GpuCores)] = "computed: Resources.GpuCores",
        [nameof(ClusterTask.MemoryMB)] = "computed: Resources.MemoryMB",
        [nameof(ClusterTask.StatePath)] = "where the row was read from (a directory or a server URI), not data of the row",
    };
}
