using Apache.Arrow;

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

    /// <summary>The key column (<c>id</c>, <c>cid</c>): what the commit log merges rows by.</summary>
    public abstract StringColumn Keys { get; }

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
