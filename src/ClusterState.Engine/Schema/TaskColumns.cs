using System.Collections.Generic;
using System;
using Apache.Arrow;
using N = ClusterState.ClusterSchema.Names;

namespace ClusterState.Schema;

/// <summary>Columns of <c>tasks</c>.</summary>
internal sealed class TaskColumns : EntityColumns
{
    private readonly Func<int, bool> _hasResources;

    public TaskColumns(RecordBatch batch) : this(batch, null, null)
    {
    }

    /// <summary>A merged view: the base's rows with the commit log's (see <see cref="EntityColumns"/>).</summary>
    public TaskColumns(RecordBatch batch, IReadOnlyList<EntityColumns>? parts, RowMerge? merge) : base(batch, parts, merge, N.Tasks)
    {
        Id = Key(N.Id);
        Type = new StringColumn(Scope, N.Type);
        Status = new StringColumn(Scope, N.Status);
        CreatedAt = new TimestampColumn(Scope, N.CreatedAt);
        UpdatedAt = new TimestampColumn(Scope, N.UpdatedAt);
        StartedAt = new TimestampColumn(Scope, N.StartedAt);
        CompletedAt = new TimestampColumn(Scope, N.CompletedAt);
        AssignedTo = new StringColumn(Scope, N.AssignedTo);
        var rs = NestedScope.Of(Scope, N.Resources, out _hasResources);
        CpuCores = new IntegerColumn(rs, N.CpuCores);
        GpuCores = new IntegerColumn(rs, N.GpuCores);
        MemoryMb = new IntegerColumn(rs, N.MemoryMb);
        InputCid = new StringColumn(Scope, N.InputCid);
        OutputCid = new StringColumn(Scope, N.OutputCid);
        InputCids = new StringListColumn(Scope, N.InputCids);
        OutputCids = new StringListColumn(Scope, N.OutputCids);
    }

    public StringColumn Id { get; }

    public override StringColumn Keys => Id;
    public StringColumn Type { get; }
    public StringColumn Status { get; }
    public TimestampColumn CreatedAt { get; }
    public TimestampColumn UpdatedAt { get; }
    public TimestampColumn StartedAt { get; }
    public TimestampColumn CompletedAt { get; }
    public StringColumn AssignedTo { get; }
    public IntegerColumn CpuCores { get; }
    public IntegerColumn GpuCores { get; }
    public IntegerColumn MemoryMb { get; }
    public StringColumn InputCid { get; }
    public StringColumn OutputCid { get; }
    public StringListColumn InputCids { get; }
    public StringListColumn OutputCids { get; }

    public bool HasResources(int row) => _hasResources(row);

    private Action<ClusterTask, int>[]? _readers;
    private Action<ClusterTask, int>[]? _readersWithoutCids;

    /// <summary>The fields that hold CIDs, the longest strings of a task.</summary>
    public static IReadOnlySet<string> CidFields { get; } = new HashSet<string>(StringComparer.Ordinal) { N.InputCid, N.OutputCid, N.InputCids, N.OutputCids };

    /// <summary>
    /// One task without its CIDs (<see cref="CidFields"/> left empty): for a commit whose updates
    /// neither read nor write them, which copies them into its record as they are stored. Decoding
    /// them was half of reading a task, and a pipeline of ten thousand reads every one.
    /// </summary>
    public ClusterTask ReadWithoutCids(int row) => Read(row, _readersWithoutCids ??= TaskFields.Table.BindReaders(Scope, name => !CidFields.Contains(name)));

    private ReadersOf? _readersOf;

    private sealed record ReadersOf(IReadOnlySet<string> Keep, Action<ClusterTask, int>[] Readers);

    /// <summary>
    /// One task with only the fields <paramref name="keep"/> names, the others left empty: for a
    /// commit whose updates read and write no others (a resource update), which copies the rest
    /// into its record as stored. A pipeline of ten thousand <c>Set-ClusterTask -MemoryMB</c> read
    /// every type and timestamp of every task for nothing. The readers are bound once per set.
    /// </summary>
    public ClusterTask ReadOnly(int row, IReadOnlySet<string> keep)
    {
        var readers = _readersOf;
        if (readers is null || !ReferenceEquals(readers.Keep, keep)) _readersOf = readers = new ReadersOf(keep, TaskFields.Table.BindReaders(Scope, keep.Contains));
        return Read(row, readers.Readers);
    }

    /// <summary>Materialises one task: every row of its field table (Schema/TaskFields), read through readers bound once.</summary>
    public ClusterTask Read(int row) => Read(row, _readers ??= TaskFields.Table.BindReaders(Scope));

    private static ClusterTask Read(int row, Action<ClusterTask, int>[] readers)
    {
        var task = new ClusterTask();
        foreach (var read in readers) read(task, row);
        if (task.Id is null) task.Id = "";
        return task;
    }
}
