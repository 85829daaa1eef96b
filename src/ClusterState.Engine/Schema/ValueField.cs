using System;
using Apache.Arrow.Types;

namespace ClusterState.Schema;

/// <summary>A leaf field: a value of one codec's kind, read and written through typed delegates.</summary>
internal sealed class ValueField<T, TValue> : EntityField<T>
    where T : class
{
    private readonly FieldCodec<TValue> _codec;
    private readonly Func<T, TValue> _get;
    private readonly Action<T, TValue> _set;

    public ValueField(string name, FieldCodec<TValue> codec, string property, Func<T, TValue> get, Action<T, TValue> set)
        : base(name, property)
    {
        _codec = codec;
        _get = get;
        _set = set;
    }

    public Func<T, TValue> Get => _get;

    public Action<T, TValue> Set => _set;

    public override FieldKind Kind => _codec.Kind;

    public override IArrowType ArrowTypeAt(int version) => _codec.ArrowType;

    public override bool Same(T a, T b) => _codec.Same(_get(a), _get(b));

    // Values are immutable (strings, numbers, times) or replaced whole when changed (lists: ChangeRules builds new arrays).
    public override void CopyValue(T from, T to) => _set(to, _get(from));

    public override RowAppender<T> NewAppender(int version) => _codec.NewAppender(_get);

    public override object? GetValue(T item) => _get(item);

    public override void SetValue(T item, object? value) => _set(item, (TValue)value!);

    public override object? ViewValue(T item) => _get(item);

    public override FieldRow? Assign(T item, string name, object? value)
    {
        if (name != Name) return null;
        if (!Updatable) throw NotUpdatable(this);
        TValue converted;
        try
        {
            converted = _codec.FromObject(value);
        }
        catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException or System.Text.Json.JsonException or InvalidOperationException)
        {
            throw new ClusterStateException(ErrorIds.InvalidArgument, ClusterStateErrorKind.InvalidArgument,
                $"The value '{value}' cannot be stored in the {Kind} field '{Name}': {e.Message}", Name, e);
        }
        _set(item, converted);
        return this;
    }

    public override Action<T, int> BindRead(ColumnScope scope)
    {
        var read = _codec.BindRead(scope, this);
        var set = _set;
        return (item, row) => set(item, read(row));
    }

    public override void BindCsv(ColumnScope scope, System.Collections.Generic.List<Func<int, string?>> columns) => columns.Add(_codec.BindCsv(scope, this));

    public override void WriteJson(System.Text.Json.Utf8JsonWriter writer, T item) => _codec.WriteJson(writer, Name, _get(item));

    public override void ReadJson(System.Text.Json.JsonElement json, T item) => _set(item, _codec.ReadJson(json, Name));

    public override object SampleValue() => _codec.Sample!;
}
