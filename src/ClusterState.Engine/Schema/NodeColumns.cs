using System.Collections.Generic;
using System;
using Apache.Arrow;
using N = ClusterState.ClusterSchema.Names;

namespace ClusterState.Schema;

/// <summary>Columns of <c>nodes</c>.</summary>
internal sealed class NodeColumns : EntityColumns
{
    private readonly Func<int, bool> _hasResources;

    public NodeColumns(RecordBatch batch) : this(batch, null, null)
    {
    }

    /// <summary>A merged view: the base's rows with the commit log's (see <see cref="EntityColumns"/>).</summary>
    public NodeColumns(RecordBatch batch, IReadOnlyList<EntityColumns>? parts, RowMerge? merge) : base(batch, parts, merge, N.Nodes)
    {
        Id = Key(N.Id);
        Role = new StringColumn(Scope, N.Role);
        Status = new StringColumn(Scope, N.Status);
        Peers = new StringListColumn(Scope, N.Peers);
        Capabilities = new StringListColumn(Scope, N.Capabilities);
        var rs = NestedScope.Of(Scope, N.Resources, out _hasResources);
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

    public override StringColumn Keys => Id;
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

    public bool HasResources(int row) => _hasResources(row);

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
