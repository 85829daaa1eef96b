namespace ClusterState.Schema;

/// <summary>
/// One row of a field table (<see cref="EntityFields{T}"/>): a field of an entity's Arrow struct
/// and the model property that holds it. Typed subclasses: <see cref="ValueField{T, TValue}"/>
/// for leaf values, <see cref="StructField{T, TChild}"/> for nested structs (<c>resources</c>).
/// </summary>
internal abstract class EntityField<T> : FieldRow
    where T : class
{
    protected EntityField(string name, string property)
        : base(name, property)
    {
    }

    /// <summary>Whether the field holds the same value in both items.</summary>
    public abstract bool Same(T a, T b);

    /// <summary>
    /// Sets <paramref name="to"/>'s value of this field to <paramref name="from"/>'s, so that changing
    /// <paramref name="to"/> afterwards leaves <paramref name="from"/> as it is (a struct is copied, not shared).
    /// </summary>
    public abstract void CopyValue(T from, T to);

    /// <summary>A typed appender for this field, made once per builder.</summary>
    public abstract RowAppender<T> NewAppender(int version);

    /// <summary>The value, boxed (slow paths and tests; the builders use <see cref="NewAppender"/>).</summary>
    public abstract object? GetValue(T item);

    /// <summary>Sets the value, boxed (slow paths and tests).</summary>
    public abstract void SetValue(T item, object? value);

    /// <summary>
    /// Sets the field called <paramref name="name"/> (this row, or a field of this struct row's
    /// child table, whose object is made when it is null) from a by-name value; returns the row
    /// that was set, or null when the name is not this row's. Refuses rows updates may not set.
    /// </summary>
    public abstract FieldRow? Assign(T item, string name, object? value);

    /// <summary>The value as views show it (the hashtable): boxed, a struct as its child table's view, or null.</summary>
    public abstract object? ViewValue(T item);

    /// <summary>Reads the field of a stored row into an item: bound once to a stored scope's typed columns.</summary>
    public abstract System.Action<T, int> BindRead(ColumnScope scope);

    /// <summary>Adds the CSV columns of the field (one, or one per child of a struct) bound to a stored scope.</summary>
    public abstract void BindCsv(ColumnScope scope, System.Collections.Generic.List<System.Func<int, string?>> columns);

    /// <summary>Writes the field of <paramref name="item"/> as a JSON property (exports).</summary>
    public abstract void WriteJson(System.Text.Json.Utf8JsonWriter writer, T item);

    /// <summary>Reads the field of <paramref name="item"/> from a JSON object (imports).</summary>
    public abstract void ReadJson(System.Text.Json.JsonElement json, T item);
}
