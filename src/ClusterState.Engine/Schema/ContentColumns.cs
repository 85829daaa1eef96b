using System.Collections.Generic;
using System;
using Apache.Arrow;
using N = ClusterState.ClusterSchema.Names;

namespace ClusterState.Schema;

/// <summary>Columns of <c>content</c>.</summary>
internal sealed class ContentColumns : EntityColumns
{
    public ContentColumns(RecordBatch batch) : this(batch, null, null)
    {
    }

    /// <summary>A merged view: the base's rows with the commit log's (see <see cref="EntityColumns"/>).</summary>
    public ContentColumns(RecordBatch batch, IReadOnlyList<EntityColumns>? parts, RowMerge? merge) : base(batch, parts, merge, N.Content)
    {
        Cid = Key(N.Cid);
        Size = new IntegerColumn(Scope, N.Size);
        CreatedAt = new TimestampColumn(Scope, N.CreatedAt);
        Providers = new StringListColumn(Scope, N.Providers);
        Pinned = new BooleanColumn(Scope, N.Pinned, presenceOf: "pinned_at");
        Replication = new IntegerColumn(Scope, N.Replication);
    }

    public StringColumn Cid { get; }

    public override StringColumn Keys => Cid;
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
