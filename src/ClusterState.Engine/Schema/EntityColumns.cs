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
        var array = batch.Column(column, StringComparer.Ordinal);
        if (array is null)
            throw new ClusterStateException(ErrorIds.SchemaMismatch, ClusterStateErrorKind.InvalidData,
                $"The snapshot has no '{column}' column.", column);
        if (array is not ListArray { Values: StructArray items } list)
            throw ColumnBinding.Mismatch(column, "list<struct>", array.Data.DataType);
        Items = items;
        if (list.Length != 1)
            throw new ClusterStateException(ErrorIds.SnapshotCorrupt, ClusterStateErrorKind.InvalidData,
                $"The snapshot holds {list.Length} rows; a cluster state has exactly one.", column);
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

    /// <summary>A nested struct child (e.g. <c>resources</c>), or null when the field is absent.</summary>
    protected StructArray? NestedStruct(string name) => ColumnBinding.Child(Items, name) switch
    {
        null => null,
        StructArray s => s,
        var other => throw ColumnBinding.Mismatch(name, "struct", other.Data.DataType),
    };

    /// <summary>Child index base for the children of a nested struct.</summary>
    protected int NestedBase(StructArray? nested) => (nested?.Offset ?? 0) + Base;

    protected static bool IsNull(StructArray? nested, int index) => nested is null || nested.IsNull(index);
}

/// <summary>Columns of <c>nodes</c>.</summary>
internal sealed class NodeColumns : EntityColumns
{
    private readonly StructArray? _resources;

    public NodeColumns(RecordBatch batch) : base(batch, N.Nodes)
    {
        Id = new StringColumn(Items, Base, N.Id);
        Role = new StringColumn(Items, Base, N.Role);
        Status = new StringColumn(Items, Base, N.Status);
        Peers = new StringListColumn(Items, Base, N.Peers);
        Capabilities = new StringListColumn(Items, Base, N.Capabilities);
        _resources = NestedStruct(N.Resources);
        int rb = NestedBase(_resources);
        CpuCount = new IntegerColumn(_resources, rb, N.CpuCount);
        CpuLoad = new FloatColumn(_resources, rb, N.CpuLoad);
        GpuCount = new IntegerColumn(_resources, rb, N.GpuCount);
        GpuAvailable = new BooleanColumn(_resources, rb, N.GpuAvailable);
        MemoryTotal = new IntegerColumn(_resources, rb, N.MemoryTotal);
        MemoryAvailable = new IntegerColumn(_resources, rb, N.MemoryAvailable);
        DiskTotal = new IntegerColumn(_resources, rb, N.DiskTotal);
        DiskAvailable = new IntegerColumn(_resources, rb, N.DiskAvailable);
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

    public bool HasResources(int row) => !IsNull(_resources, Base + row);

    /// <summary>Materialises one node.</summary>
    public ClusterNode Read(int row) => new()
    {
        Id = Id.Get(row) ?? "",
        Role = Role.Get(row),
        Status = Status.Get(row),
        Peers = Peers.Get(row),
        Capabilities = Capabilities.Get(row),
        Resources = HasResources(row)
            ? new NodeResources
            {
                CpuCount = CpuCount.GetInt32(row),
                CpuLoad = CpuLoad.Get(row),
                GpuCount = GpuCount.GetInt32(row),
                GpuAvailable = GpuAvailable.Get(row),
                MemoryTotal = MemoryTotal.Get(row),
                MemoryAvailable = MemoryAvailable.Get(row),
                DiskTotal = DiskTotal.Get(row),
                DiskAvailable = DiskAvailable.Get(row),
            }
            : null,
    };
}

/// <summary>Columns of <c>tasks</c>.</summary>
internal sealed class TaskColumns : EntityColumns
{
    private readonly StructArray? _resources;

    public TaskColumns(RecordBatch batch) : base(batch, N.Tasks)
    {
        Id = new StringColumn(Items, Base, N.Id);
        Type = new StringColumn(Items, Base, N.Type);
        Status = new StringColumn(Items, Base, N.Status);
        CreatedAt = new TimestampColumn(Items, Base, N.CreatedAt);
        UpdatedAt = new TimestampColumn(Items, Base, N.UpdatedAt);
        StartedAt = new TimestampColumn(Items, Base, N.StartedAt);
        CompletedAt = new TimestampColumn(Items, Base, N.CompletedAt);
        AssignedTo = new StringColumn(Items, Base, N.AssignedTo);
        _resources = NestedStruct(N.Resources);
        int rb = NestedBase(_resources);
        CpuCores = new IntegerColumn(_resources, rb, N.CpuCores);
        GpuCores = new IntegerColumn(_resources, rb, N.GpuCores);
        MemoryMb = new IntegerColumn(_resources, rb, N.MemoryMb);
        InputCid = new StringColumn(Items, Base, N.InputCid);
        OutputCid = new StringColumn(Items, Base, N.OutputCid);
        InputCids = new StringListColumn(Items, Base, N.InputCids);
        OutputCids = new StringListColumn(Items, Base, N.OutputCids);
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

    public bool HasResources(int row) => !IsNull(_resources, Base + row);

    /// <summary>Materialises one task.</summary>
    public ClusterTask Read(int row) => new()
    {
        Id = Id.Get(row) ?? "",
        Type = Type.Get(row),
        Status = Status.Get(row),
        CreatedAt = CreatedAt.Get(row),
        UpdatedAt = UpdatedAt.Get(row),
        StartedAt = StartedAt.Get(row),
        CompletedAt = CompletedAt.Get(row),
        AssignedTo = AssignedTo.Get(row),
        Resources = HasResources(row)
            ? new TaskResources { CpuCores = CpuCores.GetInt32(row), GpuCores = GpuCores.GetInt32(row), MemoryMB = MemoryMb.GetInt32(row) }
            : null,
        InputCid = InputCid.Get(row),
        OutputCid = OutputCid.Get(row),
        InputCids = InputCids.Get(row),
        OutputCids = OutputCids.Get(row),
    };
}

/// <summary>Columns of <c>content</c>.</summary>
internal sealed class ContentColumns : EntityColumns
{
    public ContentColumns(RecordBatch batch) : base(batch, N.Content)
    {
        Cid = new StringColumn(Items, Base, N.Cid);
        Size = new IntegerColumn(Items, Base, N.Size);
        CreatedAt = new TimestampColumn(Items, Base, N.CreatedAt);
        Providers = new StringListColumn(Items, Base, N.Providers);
        Pinned = new BooleanColumn(Items, Base, N.Pinned, presenceOf: "pinned_at");
        Replication = new IntegerColumn(Items, Base, N.Replication);
    }

    public StringColumn Cid { get; }
    public IntegerColumn Size { get; }
    public TimestampColumn CreatedAt { get; }
    public StringListColumn Providers { get; }
    public BooleanColumn Pinned { get; }
    public IntegerColumn Replication { get; }

    /// <summary>Materialises one content item.</summary>
    public ClusterContent Read(int row) => new()
    {
        Cid = Cid.Get(row) ?? "",
        Size = Size.Get(row),
        CreatedAt = CreatedAt.Get(row),
        Providers = Providers.Get(row),
        Pinned = Pinned.Get(row),
        Replication = Replication.GetInt32(row),
    };
}
