using System;
using System.Collections.Generic;
using System.Linq;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace ClusterState.Schema;

/// <summary>
/// A nested struct field (<c>resources</c>): a model property holding a child object, whose own
/// fields are a child table. The struct is null where the property is null.
/// </summary>
internal sealed class StructField<T, TChild> : EntityField<T>
    where T : class
    where TChild : class, new()
{
    private readonly Func<T, TChild?> _get;
    private readonly Action<T, TChild?> _set;

    public StructField(string name, string property, Func<T, TChild?> get, Action<T, TChild?> set, EntityFields<TChild> children)
        : base(name, property)
    {
        _get = get;
        _set = set;
        ChildTable = children;
    }

    /// <summary>The child table: the fields of the struct.</summary>
    public EntityFields<TChild> ChildTable { get; }

    public override FieldTable Children => ChildTable;

    public Func<T, TChild?> Get => _get;

    public Action<T, TChild?> Set => _set;

    public override FieldKind Kind => FieldKind.Struct;

    public override IArrowType ArrowTypeAt(int version) => ChildTable.TypeOf(version);

    public override bool Same(T a, T b)
    {
        var x = _get(a);
        var y = _get(b);
        if (x is null || y is null) return x is null && y is null;
        return !ChildTable.AnyChanged(x, y);
    }

    public override void CopyValue(T from, T to) => _set(to, _get(from) is { } child ? ChildTable.Copy(child, new TChild()) : null);

    public override RowAppender<T> NewAppender(int version) => new Appender(_get, ChildTable.NewRows(version));

    public override object? GetValue(T item) => _get(item);

    public override void SetValue(T item, object? value) => _set(item, (TChild?)value);

    public override FieldRow? Assign(T item, string name, object? value)
    {
        if (name == Name) throw NotUpdatable(this, "set its fields by their own names");
        if (ChildTable.Find(name) is null) return null;
        if (!Updatable) throw NotUpdatable(this);
        var child = _get(item) ?? new TChild();
        var row = ChildTable.Assign(child, name, value);
        _set(item, child);
        return row;
    }

    public override object? ViewValue(T item) => _get(item) is { } child ? ChildTable.View(child) : null;

    public override Action<T, int> BindRead(ColumnScope scope)
    {
        var nestedScope = NestedScope.Of(scope, Name, out var present);
        var readers = ChildTable.BindReaders(nestedScope);
        var set = _set;
        return (item, row) =>
        {
            if (!present(row))
            {
                set(item, null);
                return;
            }
            var child = new TChild();
            foreach (var read in readers) read(child, row);
            set(item, child);
        };
    }

    public override void BindCsv(ColumnScope scope, List<Func<int, string?>> columns)
    {
        var nestedScope = NestedScope.Of(scope, Name, out var present);
        var children = new List<Func<int, string?>>();
        foreach (var f in ChildTable.ViewOrder) f.BindCsv(nestedScope, children);
        foreach (var child in children) columns.Add(row => present(row) ? child(row) : null);
    }

    public override void WriteJson(System.Text.Json.Utf8JsonWriter writer, T item)
    {
        var child = _get(item);
        if (child is null)
        {
            writer.WriteNull(Name);
            return;
        }
        writer.WriteStartObject(Name);
        ChildTable.WriteJson(writer, child);
        writer.WriteEndObject();
    }

    public override void ReadJson(System.Text.Json.JsonElement json, T item)
    {
        if (json.TryGetProperty(Name, out var v) && v.ValueKind == System.Text.Json.JsonValueKind.Object)
        {
            var child = new TChild();
            ChildTable.ReadJson(v, child);
            _set(item, child);
        }
        else _set(item, null);
    }

    public override object SampleValue()
    {
        var child = new TChild();
        foreach (var f in ChildTable.Fields) f.SetValue(child, f.SampleValue());
        return child;
    }

    private sealed class Appender(Func<T, TChild?> get, StructRows<TChild> rows) : RowAppender<T>
    {
        public override void Append(T item)
        {
            var child = get(item);
            if (child is null) rows.AppendNull(); else rows.Append(child);
        }

        public override void AppendNull() => rows.AppendNull();

        public override void Reserve(int count) => rows.Reserve(count);

        public override IArrowArray Build(IArrowType type) => rows.Build((StructType)type);
    }
}
