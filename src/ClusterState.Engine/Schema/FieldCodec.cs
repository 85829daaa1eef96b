using System;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace ClusterState.Schema;

/// <summary>
/// How one kind of field value (string, list of strings, int32, …) is stored: its Arrow type, how
/// two values compare, and the typed column appender that writes it. The appender is made once
/// per builder; appending a row calls the model getter and a typed builder, with no boxing.
/// </summary>
internal abstract class FieldCodec<TValue>
{
    /// <summary>The kind of value (what mappings that switch on kinds see).</summary>
    public abstract FieldKind Kind { get; }

    /// <summary>The Arrow type this module writes for the value.</summary>
    public abstract IArrowType ArrowType { get; }

    /// <summary>Whether two values are the same (what a commit compares to find changed fields).</summary>
    public abstract bool Same(TValue a, TValue b);

    /// <summary>A typed appender reading the value of each row through <paramref name="get"/>.</summary>
    public abstract RowAppender<T> NewAppender<T>(Func<T, TValue> get);

    /// <summary>Writes the value as a JSON property (exports); null as JSON null.</summary>
    public abstract void WriteJson(Utf8JsonWriter writer, string name, TValue value);

    /// <summary>Reads the value of a JSON property (imports); missing or null as null (an empty list for lists).</summary>
    public abstract TValue ReadJson(JsonElement item, string name);

    /// <summary>The value of the field at each row of a stored column, bound once to a typed column reader.</summary>
    public abstract Func<int, TValue> BindRead(ColumnScope scope, FieldRow row);

    /// <summary>
    /// The CSV text of the field at each row of a stored column, bound once to a typed column
    /// reader (aliases and the variant's types included, see ColumnBinding); null for a null value.
    /// </summary>
    public abstract Func<int, string?> BindCsv(ColumnScope scope, FieldRow row);

    /// <summary>
    /// The value given for the field by name (an update's <c>Fields</c>): the value itself, a JSON
    /// value (a change set that came over the wire), or a scalar of another type converted with
    /// the invariant culture. Throws InvalidCastException, FormatException, OverflowException or
    /// JsonException when it is none of them.
    /// </summary>
    public virtual TValue FromObject(object? value) => value switch
    {
        null => default!,
        TValue v => v,
        JsonElement { ValueKind: JsonValueKind.Null } => default!,
        JsonElement e => e.Deserialize<TValue>()!,
        _ => (TValue)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(TValue)) ?? typeof(TValue), System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>A non-null value of this kind (tests use it to round-trip accessors).</summary>
    public abstract TValue Sample { get; }
}
