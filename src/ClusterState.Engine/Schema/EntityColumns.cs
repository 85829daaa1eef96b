using System;
using Apache.Arrow;
using N = ClusterState.ClusterSchema.Names;

namespace ClusterState.Schema;

/// <summary>
/// The slice of one entity list (<c>nodes</c>, <c>tasks</c> or <c>content</c>) in the one-row
/// batch: the struct array of its items and the range [start, start + Count) within it.
/// </summary>
internal abstract class EntityColumns
{
    protected EntityColumns(RecordBatch batch, string column)
    {
        Name = column;
        var array = ColumnBinding.Column(batch, column);
        if (array is null)
            throw new ClusterStateException(ErrorIds.SchemaMismatch, ClusterStateErrorKind.InvalidData,
                $"The snapshot has no '{column}' column.", column);
        if (array is not ListArray { Values: StructArray items } list)
            throw ColumnBinding.Mismatch(column, "list<struct>", array.Data.DataType);
        Items = items;
        if (list.Length != 1)
            throw new ClusterStateException(ErrorIds.SnapshotCorrupt, ClusterStateErrorKind.InvalidData,
                $"The snapshot holds {list.Length} rows; a cluster state has exactly one.", column);
        // The one-row list and the struct of its items, without their fields: O(1) whatever the
        // size of the state. Each field is validated when it is first used (ColumnGuard).
        ArrayValidation.Validate(list, 1, column, children: false);
        ArrayValidation.Validate(items, 0, column, children: false);
        if (list.IsNull(0))
        {
            Start = 0;
            Count = 0;
        }
        else
        {
            var offsets = list.ValueOffsets;
            Start = offsets[0];
            Count = offsets[1] - offsets[0];
            if (Start < 0 || Count < 0 || Start + Count > items.Length)
                throw new ClusterStateException(ErrorIds.SnapshotCorrupt, ClusterStateErrorKind.InvalidData,
                    $"The '{column}' list points outside its values ({Start}+{Count} of {items.Length}).", column);
        }
        Base = items.Offset + Start;
    }

    /// <summary>The column name (<c>nodes</c>, <c>tasks</c>, <c>content</c>).</summary>
    public string Name { get; }

    /// <summary>The struct array holding the items.</summary>
    public StructArray Items { get; }

    /// <summary>Index of the first item in <see cref="Items"/>.</summary>
    public int Start { get; }

    /// <summary>Number of items.</summary>
    public int Count { get; }

    /// <summary>Index of the first item in the children of <see cref="Items"/>.</summary>
    protected int Base { get; }

    /// <summary>
    /// The key field (<c>id</c>, <c>cid</c>). Other fields may be missing (an older schema reads
    /// them as null), the key may not: without it no row can be found, changed or kept apart.
    /// </summary>
    protected StringColumn Key(string name)
    {
        var key = new StringColumn(Scope, name);
        if (!key.IsPresent)
            throw new ClusterStateException(ErrorIds.SchemaMismatch, ClusterStateErrorKind.InvalidData,
                $"The '{Name}' items have no '{name}' field; the cluster-state schema keys them by it.", Name + "." + name);
        return key;
    }

    /// <summary>The fields of the items.</summary>
    protected ColumnScope Scope => new(Items, Base, Count, Name);

    /// <summary>A nested struct child (e.g. <c>resources</c>), or null when the field is absent, with the guard of its own buffers.</summary>
    protected StructArray? NestedStruct(string name, out ColumnGuard? guard) => Scope.Child(name, out guard) switch
    {
        null => null,
        StructArray s => s,
        var other => throw ColumnBinding.Mismatch(name, "struct", other.Data.DataType),
    };

    /// <summary>The fields of a nested struct (their index base adds the nested struct's own offset).</summary>
    protected ColumnScope NestedScope(StructArray? nested, string name) => new(nested, (nested?.Offset ?? 0) + Base, Count, Name + "." + name);

    /// <summary>Whether the nested struct is null at a row (true when the field is absent).</summary>
    protected bool IsNull(StructArray? nested, ColumnGuard? guard, int row)
    {
        if (nested is null) return true;
        guard!.Ensure();
        return nested.IsNull(Base + row);
    }
}

/// <summary>Columns of <c>nodes</c>.</summary>
internal sealed class NodeColumns : EntityColumns
{
    private readonly StructArray? _resources;
    private readonly ColumnGuard? _resourcesGuard;

    public NodeColumns(RecordBatch batch) : base(batch, N.Nodes)
    {
        Id = Key(N.Id);
        Role = new StringColumn(Scope, N.Role);
        Status = new StringColumn(Scope, N.Status);
        Peers = new StringListColumn(Scope, N.Peers);
        Capabilities = new StringListColumn(Scope, N.Capabilities);
        _resources = NestedStruct(N.Resources, out _resourcesGuard);
        var rs = NestedScope(_resources, N.Resources);
        CpuCount = new IntegerColumn(rs, N.CpuCount);
        CpuLoad = new FloatColumn(rs, N.CpuLoad);
        GpuCount = new IntegerColumn(rs, N.GpuCount);
        GpuAvailable = new BooleanColumn(rs, N.GpuAvailable);
        MemoryTotal = new IntegerColumn(rs, N.MemoryTotal);
        MemoryAvailable = new IntegerColumn(rs, N.MemoryAvailable);
        DiskTotal = new IntegerColumn(rs, N.DiskTotal);
        DiskAvailable = new IntegerColumn(rs, N.DiskAvailable);
    }

    public StringColumn Id { get; }
    public StringColumn Role { get; }
    public StringColumn Status { get; }
    public StringListColumn Peers { get; }
    public StringListColumn Capabilities { get; }
    public IntegerColumn CpuCount { get; }
    public FloatColumn CpuLoad { get; }
    public IntegerColumn GpuCount { get; }
    public BooleanColumn GpuAvailable { get; }
    public IntegerColumn MemoryTotal { get; }
    public IntegerColumn MemoryAvailable { get; }
    public IntegerColumn DiskTotal { get; }
    public IntegerColumn DiskAvailable { get; }

    public bool HasResources(int row) => !IsNull(_resources, _resourcesGuard, row);

    private Action<ClusterNode, int>[]? _readers;

    /// <summary>Materialises one node: every row of its field table (Schema/NodeFields), read through readers bound once.</summary>
    public ClusterNode Read(int row)
    {
        var node = new ClusterNode();
        foreach (var read in _readers ??= NodeFields.Table.BindReaders(Scope)) read(node, row);
        if (node.Id is null) node.Id = "";
        return node;
    }
}

/// <summary>Columns of <c>tasks</c>.</summary>
internal sealed class TaskColumns : EntityColumns
{
    private readonly StructArray? _resources;
    private readonly ColumnGuard? _resourcesGuard;

    public TaskColumns(RecordBatch batch) : base(batch, N.Tasks)
    {
        Id = Key(N.Id);
        Type = new StringColumn(Scope, N.Type);
        Status = new StringColumn(Scope, N.Status);
        CreatedAt = new TimestampColumn(Scope, N.CreatedAt);
        UpdatedAt = new TimestampColumn(Scope, N.UpdatedAt);
        StartedAt = new TimestampColumn(Scope, N.StartedAt);
        CompletedAt = new TimestampColumn(Scope, N.CompletedAt);
        AssignedTo = new StringColumn(Scope, N.AssignedTo);
        _resources = NestedStruct(N.Resources, out _resourcesGuard);
        var rs = NestedScope(_resources, N.Resources);
        CpuCores = new IntegerColumn(rs, N.CpuCores);
        GpuCores = new IntegerColumn(rs, N.GpuCores);
        MemoryMb = new IntegerColumn(rs, N.MemoryMb);
        InputCid = new StringColumn(Scope, N.InputCid);
        OutputCid = new StringColumn(Scope, N.OutputCid);
        InputCids = new StringListColumn(Scope, N.InputCids);
        OutputCids = new StringListColumn(Scope, N.OutputCids);
    }

    public StringColumn Id { get; }
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

    public bool HasResources(int row) => !IsNull(_resources, _resourcesGuard, row);

    private Action<ClusterTask, int>[]? _readers;

    /// <summary>Materialises one task: every row of its field table (Schema/TaskFields), read through readers bound once.</summary>
    public ClusterTask Read(int row)
    {
        var task = new ClusterTask();
        foreach (var read in _readers ??= TaskFields.Table.BindReaders(Scope)) read(task, row);
        if (task.Id is null) task.Id = "";
        return task;
    }
}

/// <summary>Columns of <c>content</c>.</summary>
internal sealed class ContentColumns : EntityColumns
{
    public ContentColumns(RecordBatch batch) : base(batch, N.Content)
    {
        Cid = Key(N.Cid);
        Size = new IntegerColumn(Scope, N.Size);
        CreatedAt = new TimestampColumn(Scope, N.CreatedAt);
        Providers = new StringListColumn(Scope, N.Providers);
        Pinned = new BooleanColumn(Scope, N.Pinned, presenceOf: "pinned_at");
        Replication = new IntegerColumn(Scope, N.Replication);
    }

    public StringColumn Cid { get; }
    public IntegerColumn Size { get; }
    public TimestampColumn CreatedAt { get; }
    public StringListColumn Providers { get; }
    public BooleanColumn Pinned { get; }
    public IntegerColumn Replication { get; }

    private Action<ClusterContent, int>[]? _readers;

    /// <summary>Materialises one content item: every row of its field table (Schema/ContentFields), read through readers bound once.</summary>
    public ClusterContent Read(int row)
    {
        var item = new ClusterContent();
        foreach (var read in _readers ??= ContentFields.Table.BindReaders(Scope)) read(item, row);
        if (item.Cid is null) item.Cid = "";
        return item;
    }
}
