using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using StructArray = Apache.Arrow.StructArray;
using Apache.Arrow.Types;

namespace ClusterState.Schema;

/// <summary>
/// The field table of one entity (or of a nested struct such as <c>resources</c>): its rows in
/// Arrow field order. The schema's struct types, the batch builders and the commit's change
/// detection are made from it; adding a field is adding a row here and a model property.
/// </summary>
internal sealed class EntityFields<T> : FieldTable
    where T : class
{
    private readonly EntityField<T>[] _fields;
    private readonly ConcurrentDictionary<int, StructType> _types = new();

    private EntityField<T>[]? _viewOrder;

    public EntityFields(IEnumerable<EntityField<T>> fields, IReadOnlyDictionary<string, string>? notStored = null)
    {
        _fields = fields.ToArray();
        var unknown = _fields.FirstOrDefault(f => f.ShownAfter is { } after && !_fields.Any(g => g.Name == after));
        if (unknown is not null) throw new ArgumentException($"'{unknown.Name}' is shown after '{unknown.ShownAfter}', which is not in the table of {typeof(T).Name}.", nameof(fields));
        NotStored = notStored ?? new Dictionary<string, string>();
        var duplicate = _fields.GroupBy(f => f.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"The field '{duplicate.Key}' is in the table of {typeof(T).Name} twice.", nameof(fields));
    }

    /// <summary>The rows, typed.</summary>
    public IReadOnlyList<EntityField<T>> Fields => _fields;

    public override Type ModelType => typeof(T);

    public override IReadOnlyList<FieldRow> Rows => _fields;

    public override IReadOnlyDictionary<string, string> NotStored { get; }

    /// <summary>What one item is called in messages ("node", "task", "content item").</summary>
    public string ItemName { get; init; } = typeof(T).Name;

    /// <summary>The key row (<c>id</c>, <c>cid</c>): the first one.</summary>
    public EntityField<T> Key => _fields[0];

    /// <summary>The rows in the order exports and views show them (see <see cref="FieldRow.ShownAfter"/>).</summary>
    public IReadOnlyList<EntityField<T>> ViewOrder => _viewOrder ??= MakeViewOrder();

    private EntityField<T>[] MakeViewOrder()
    {
        var order = _fields.Where(f => f.ShownAfter is null).ToList();
        foreach (var f in _fields.Where(f => f.ShownAfter is not null))
            order.Insert(order.FindIndex(g => g.Name == f.ShownAfter) + 1, f);
        return order.ToArray();
    }

    /// <summary>The item as a view shows it: names and values in view order, structs nested.</summary>
    public KeyValuePair<string, object?>[] View(T item)
    {
        var order = ViewOrder;
        var view = new KeyValuePair<string, object?>[order.Count];
        for (int i = 0; i < view.Length; i++) view[i] = new(order[i].Name, order[i].ViewValue(item));
        return view;
    }

    /// <summary>Readers of every row's field from a stored scope into an item, bound once (what materialises snapshot rows).</summary>
    public Action<T, int>[] BindReaders(ColumnScope scope) => _fields.Select(f => f.BindRead(scope)).ToArray();

    /// <summary>The readers of the fields whose names <paramref name="reads"/> accepts (the others left as a new item has them).</summary>
    public Action<T, int>[] BindReaders(ColumnScope scope, Func<string, bool> reads) => _fields.Where(f => reads(f.Name)).Select(f => f.BindRead(scope)).ToArray();

    /// <summary>The CSV header: field names in view order, a struct's fields in its place.</summary>
    public string[] CsvHeader() =>
        ViewOrder.SelectMany(f => f.Children is { } c ? c.Rows.Select(x => x.Name) : new[] { f.Name }).ToArray();

    /// <summary>The CSV columns, in <see cref="CsvHeader"/> order, bound once to a stored scope's typed columns.</summary>
    public Func<int, string?>[] BindCsv(ColumnScope scope)
    {
        var columns = new List<Func<int, string?>>();
        foreach (var f in ViewOrder) f.BindCsv(scope, columns);
        return columns.ToArray();
    }

    /// <summary>Writes the item's fields as JSON properties, in view order.</summary>
    public void WriteJson(System.Text.Json.Utf8JsonWriter writer, T item)
    {
        foreach (var f in ViewOrder) f.WriteJson(writer, item);
    }

    /// <summary>Reads the item's fields from a JSON object, in view order; a field missing there is left as null.</summary>
    public void ReadJson(System.Text.Json.JsonElement json, T item)
    {
        foreach (var f in ViewOrder) f.ReadJson(json, item);
    }

    /// <summary>
    /// Sets a field by its Arrow name (a leaf of this table, or a field of one of its structs) and
    /// returns its row; UnknownField when no row has the name, FieldNotUpdatable when updates may
    /// not set it. What commits use for an update's <c>Fields</c>, so a field added to the table
    /// can be updated with no other code.
    /// </summary>
    public FieldRow Assign(T item, string name, object? value)
    {
        foreach (var f in _fields)
        {
            if (f.Assign(item, name, value) is { } row) return row;
        }
        throw new ClusterStateException(ErrorIds.UnknownField, ClusterStateErrorKind.InvalidArgument,
            $"A {ItemName} has no field '{name}'; its fields are {string.Join(", ", Leaves())}.", name);
    }

    private IEnumerable<string> Leaves() => _fields.SelectMany(f => f.Children is { } c ? c.Rows.Select(r => r.Name) : new[] { f.Name });

    /// <summary>The row of a field name, or null.</summary>
    public EntityField<T>? Find(string name) => Array.Find(_fields, f => f.Name == name);

    public override StructType TypeOf(int version) =>
        _types.GetOrAdd(version, v => new StructType(_fields.Where(f => f.InVersion(v)).Select(f => f.ArrowFieldAt(v)).ToList()));

    /// <summary>
    /// Copies every field of <paramref name="from"/> into <paramref name="to"/> and returns it: an
    /// item to change while <paramref name="from"/> stays as read (a commit edits the copy and
    /// compares it with the row). Cheaper than reading the row again, which a commit of ten
    /// thousand updates did ten thousand times.
    /// </summary>
    public T Copy(T from, T to)
    {
        foreach (var f in _fields) f.CopyValue(from, to);
        return to;
    }

    /// <summary>The names of the fields whose values differ between two items (every row is compared, so no field is forgotten).</summary>
    public IEnumerable<string> Changed(T a, T b)
    {
        var changed = new List<string>();
        AddChanged(a, b, changed);
        return changed;
    }

    /// <summary>
    /// Adds the names of the fields whose values differ to <paramref name="into"/>, allocating
    /// nothing: a commit compares every row it changes (an iterator per row and per struct was a
    /// sixth of planning a 10,000-task pipeline).
    /// </summary>
    public void AddChanged(T a, T b, ICollection<string> into)
    {
        foreach (var f in _fields)
        {
            if (!f.Same(a, b)) into.Add(f.Name);
        }
    }

    /// <summary>Whether any field's value differs.</summary>
    public bool AnyChanged(T a, T b)
    {
        foreach (var f in _fields)
        {
            if (!f.Same(a, b)) return true;
        }
        return false;
    }

    /// <summary>A builder of the struct array of items in a schema version, with its typed appenders made now.</summary>
    public StructRows<T> NewRows(int version) => new(_fields.Where(f => f.InVersion(version)).Select(f => f.NewAppender(version)));

    /// <summary>
    /// The struct array of <paramref name="items"/> with the fields of <paramref name="version"/>
    /// that <paramref name="include"/> names (all of them when null), in table order: a commit's
    /// changed fields, the others copied from the rows as stored.
    /// </summary>
    public StructArray Build(IEnumerable<T> items, int version, IReadOnlySet<string>? include = null)
    {
        var fields = _fields.Where(f => f.InVersion(version) && (include is null || include.Contains(f.Name))).ToList();
        // Arrow has no struct of no fields: nothing changed writes the key (the first field; it is always read).
        if (fields.Count == 0) fields.Add(_fields[0]);
        var rows = new StructRows<T>(fields.Select(f => f.NewAppender(version)));
        if (items.TryGetNonEnumeratedCount(out int count)) rows.Reserve(count);
        foreach (var item in items) rows.Append(item);
        return rows.Build(include is null ? TypeOf(version) : new StructType(fields.Select(f => f.ArrowFieldAt(version)).ToList()));
    }

    /// <summary>A copy of the table with one more row at the end (tests add fields this way).</summary>
    public EntityFields<T> With(EntityField<T> field) => new(_fields.Append(field), NotStored) { ItemName = ItemName };
}
