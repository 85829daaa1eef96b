using Apache.Arrow;

namespace ClusterState.Schema;

// Typed, bounds-checked accessors over the child arrays of one entity list. Every accessor
// takes a row number relative to the entity list (0 .. Count-1) and adds the base index
// of the list slice itself. Missing fields (an older schema version) read as null.
// Every accessor first asks the column's guard, which validates the mapped buffers once
// (ColumnGuard): a damaged column fails as SnapshotCorrupt, never with a raw exception.

/// <summary>
/// Where the fields of one struct live (an entity's items, or a nested struct such as
/// <c>resources</c>): the struct, the index of the entity's first row in its children, the
/// number of rows, and the qualified name used in errors (<c>tasks</c>, <c>tasks.resources</c>).
/// </summary>
internal readonly record struct ColumnScope(StructArray? Parent, int Base, int Count, string Path)
{
    /// <summary>
    /// The rows a commit log adds to this scope (a merged view, DESIGN.md §5), or null. Row
    /// numbers from <see cref="Count"/> on are rows of the delta: every typed column made from
    /// this scope reads them there, so readers see one row space of base and log rows.
    /// </summary>
    public DeltaScope? Delta { get; init; }

    /// <summary>
    /// Whether the arrays were built by this module from values it had validated (a merged
    /// view's delta, copied out of log records checked when they were read): their guards start
    /// valid. A delta is new with every generation, and validating its columns again on first
    /// use would cost every commit and reread a pass over every log row.
    /// </summary>
    public bool Trusted { get; init; }

    /// <summary>The field's array (null when absent) and the guard that validates it on first use.</summary>
    public IArrowArray? Child(string name, out ColumnGuard? guard)
    {
        var array = Parent is null ? null : ColumnBinding.Child(Parent, name);
        guard = Guard(array, name);
        return array;
    }

    /// <summary>A guard for <paramref name="array"/>, a field of this scope (null for an absent field).</summary>
    public ColumnGuard? Guard(IArrowArray? array, string name) =>
        array is null ? null : new ColumnGuard(array, Base + Count, Path + "." + name, valid: Trusted);
}
