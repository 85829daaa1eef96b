using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace ClusterState.Schema;

/// <summary>
/// The value kinds the field tables use. They depend on nothing in <see cref="ClusterSchema"/>
/// (which is built from the tables), so type initialisation has no cycle.
/// </summary>
internal static class FieldCodecs
{
    /// <summary>Millisecond timestamps without a time zone (<see cref="ClusterSchema.Timestamp"/> is this instance).</summary>
    public static readonly TimestampType TimestampMs = new(TimeUnit.Millisecond, (string?)null);

    public static FieldCodec<string?> String { get; } = new StringCodec();
    public static FieldCodec<string[]> StringList { get; } = new StringListCodec();
    public static FieldCodec<int?> Int32 { get; } = new Int32Codec();
    public static FieldCodec<long?> Int64 { get; } = new Int64Codec();
    public static FieldCodec<float?> Float { get; } = new FloatCodec();
    public static FieldCodec<bool?> Boolean { get; } = new BooleanCodec();
    public static FieldCodec<DateTime?> Timestamp { get; } = new TimestampCodec();

    /// <summary>ISO-8601 UTC with milliseconds, as the timestamps are stored (exports, CSV).</summary>
    public static string FormatTime(DateTime value) =>
        value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static bool Has(JsonElement e, string name, out JsonElement v) => e.TryGetProperty(name, out v) && v.ValueKind != JsonValueKind.Null;

    private static long? Long(JsonElement e, string name) => Has(e, name, out var v) ? v.GetInt64() : null;

    /// <summary>The <c>list&lt;item: string&gt;</c> type of the seed's string lists.</summary>
    public static ListType StringListType() => new(new Field("item", StringType.Default, nullable: true, metadata: null));

    private sealed class StringCodec : FieldCodec<string?>
    {
        public override FieldKind Kind => FieldKind.String;
        public override IArrowType ArrowType => StringType.Default;
        public override bool Same(string? a, string? b) => string.Equals(a, b, StringComparison.Ordinal);
        public override string? Sample => "sample";
        public override void WriteJson(Utf8JsonWriter w, string name, string? value)
        {
            if (value is null) w.WriteNull(name); else w.WriteString(name, value);
        }
        public override string? ReadJson(JsonElement e, string name) => Has(e, name, out var v) ? v.GetString() : null;
        public override Func<int, string?> BindRead(ColumnScope scope, FieldRow row)
        {
            var column = new StringColumn(scope, row.Name);
            return r => column.Get(r);
        }
        public override Func<int, string?> BindCsv(ColumnScope scope, FieldRow row)
        {
            var column = new StringColumn(scope, row.Name);
            return r => column.Get(r);
        }
        public override RowAppender<T> NewAppender<T>(Func<T, string?> get) => new Appender<T>(get);

        private sealed class Appender<T>(Func<T, string?> get) : RowAppender<T>
        {
            private readonly StringArray.Builder _builder = new();
            public override void Reserve(int count) => _builder.Reserve(count);
            public override void Append(T item)
            {
                var value = get(item);
                if (value is null) _builder.AppendNull(); else _builder.Append(value);
            }
            public override void AppendNull() => _builder.AppendNull();
            public override IArrowArray Build(IArrowType type) => _builder.Build(ManagedMemoryAllocator.Instance);
        }
    }

    private sealed class StringListCodec : FieldCodec<string[]>
    {
        public override FieldKind Kind => FieldKind.StringList;
        public override IArrowType ArrowType => StringListType();
        public override bool Same(string[] a, string[] b) => ReferenceEquals(a, b) || (a is not null && b is not null && a.SequenceEqual(b));
        public override string[] Sample => new[] { "a", "b" };
        public override string[] FromObject(object? value) => value switch
        {
            null or JsonElement { ValueKind: JsonValueKind.Null } => System.Array.Empty<string>(),
            string[] v => v,
            JsonElement e => e.Deserialize<string[]>() ?? System.Array.Empty<string>(),
            string s => throw new InvalidCastException($"A list of strings is expected, not the string '{s}'."),
            System.Collections.IEnumerable items => items.Cast<object?>().Select(x => x?.ToString() ?? throw new InvalidCastException("A list of strings cannot hold null.")).ToArray(),
            _ => throw new InvalidCastException($"A list of strings is expected, not {value.GetType().Name}."),
        };
        public override void WriteJson(Utf8JsonWriter w, string name, string[] value)
        {
            w.WriteStartArray(name);
            foreach (var v in value ?? System.Array.Empty<string>()) w.WriteStringValue(v);
            w.WriteEndArray();
        }
        public override string[] ReadJson(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(x => x.GetString() ?? "").ToArray() : System.Array.Empty<string>();
        public override Func<int, string[]> BindRead(ColumnScope scope, FieldRow row)
        {
            var column = new StringListColumn(scope, row.Name);
            return r => column.Get(r);
        }
        public override Func<int, string?> BindCsv(ColumnScope scope, FieldRow row)
        {
            var column = new StringListColumn(scope, row.Name);
            return r => string.Join(';', column.Get(r));
        }
        public override RowAppender<T> NewAppender<T>(Func<T, string[]> get) => new Appender<T>(get);

        private sealed class Appender<T>(Func<T, string[]> get) : RowAppender<T>
        {
            private readonly ListArray.Builder _builder = new(StringType.Default);
            public override void Reserve(int count) => _builder.Reserve(count);
            public override void Append(T item)
            {
                // A missing list is written as an empty one, as the seed does.
                _builder.Append();
                var values = get(item);
                if (values is null) return;
                var strings = (StringArray.Builder)_builder.ValueBuilder;
                foreach (var v in values) strings.Append(v);
            }
            public override void AppendNull() => _builder.AppendNull();
            public override IArrowArray Build(IArrowType type)
            {
                var built = _builder.Build(ManagedMemoryAllocator.Instance);
                return new ListArray(type, built.Length, built.ValueOffsetsBuffer, built.Values, built.NullBitmapBuffer, built.NullCount, 0);
            }
        }
    }

    private sealed class Int32Codec : FieldCodec<int?>
    {
        public override FieldKind Kind => FieldKind.Int32;
        public override IArrowType ArrowType => Int32Type.Default;
        public override bool Same(int? a, int? b) => a == b;
        public override int? Sample => 7;
        public override void WriteJson(Utf8JsonWriter w, string name, int? value)
        {
            if (value is int v) w.WriteNumber(name, (long)v); else w.WriteNull(name);
        }
        public override int? ReadJson(JsonElement e, string name) => (int?)Long(e, name);
        public override Func<int, int?> BindRead(ColumnScope scope, FieldRow row)
        {
            var column = new IntegerColumn(scope, row.Name);
            return r => column.GetInt32(r);
        }
        public override Func<int, string?> BindCsv(ColumnScope scope, FieldRow row)
        {
            var column = new IntegerColumn(scope, row.Name);
            return r => column.Get(r)?.ToString(CultureInfo.InvariantCulture);
        }
        public override RowAppender<T> NewAppender<T>(Func<T, int?> get) => new Appender<T>(get);

        private sealed class Appender<T>(Func<T, int?> get) : RowAppender<T>
        {
            private readonly Int32Array.Builder _builder = new();
            public override void Reserve(int count) => _builder.Reserve(count);
            public override void Append(T item)
            {
                if (get(item) is int v) _builder.Append(v); else _builder.AppendNull();
            }
            public override void AppendNull() => _builder.AppendNull();
            public override IArrowArray Build(IArrowType type) => _builder.Build(ManagedMemoryAllocator.Instance);
        }
    }

    private sealed class Int64Codec : FieldCodec<long?>
    {
        public override FieldKind Kind => FieldKind.Int64;
        public override IArrowType ArrowType => Int64Type.Default;
        public override bool Same(long? a, long? b) => a == b;
        public override long? Sample => 1L << 40;
        public override void WriteJson(Utf8JsonWriter w, string name, long? value)
        {
            if (value is long v) w.WriteNumber(name, v); else w.WriteNull(name);
        }
        public override long? ReadJson(JsonElement e, string name) => Long(e, name);
        public override Func<int, long?> BindRead(ColumnScope scope, FieldRow row)
        {
            var column = new IntegerColumn(scope, row.Name);
            return r => column.Get(r);
        }
        public override Func<int, string?> BindCsv(ColumnScope scope, FieldRow row)
        {
            var column = new IntegerColumn(scope, row.Name);
            return r => column.Get(r)?.ToString(CultureInfo.InvariantCulture);
        }
        public override RowAppender<T> NewAppender<T>(Func<T, long?> get) => new Appender<T>(get);

        private sealed class Appender<T>(Func<T, long?> get) : RowAppender<T>
        {
            private readonly Int64Array.Builder _builder = new();
            public override void Reserve(int count) => _builder.Reserve(count);
            public override void Append(T item)
            {
                if (get(item) is long v) _builder.Append(v); else _builder.AppendNull();
            }
            public override void AppendNull() => _builder.AppendNull();
            public override IArrowArray Build(IArrowType type) => _builder.Build(ManagedMemoryAllocator.Instance);
        }
    }

    private sealed class FloatCodec : FieldCodec<float?>
    {
        public override FieldKind Kind => FieldKind.Float;
        public override IArrowType ArrowType => FloatType.Default;
        // float.Equals: NaN is the same as NaN, so an unchanged NaN is not a change.
        public override bool Same(float? a, float? b) => a.Equals(b);
        public override float? Sample => 12.5f;
        public override void WriteJson(Utf8JsonWriter w, string name, float? value)
        {
            if (value is float v) w.WriteNumber(name, v); else w.WriteNull(name);
        }
        public override float? ReadJson(JsonElement e, string name) => Has(e, name, out var v) ? (float)v.GetDouble() : null;
        public override Func<int, float?> BindRead(ColumnScope scope, FieldRow row)
        {
            var column = new FloatColumn(scope, row.Name);
            return r => column.Get(r);
        }
        public override Func<int, string?> BindCsv(ColumnScope scope, FieldRow row)
        {
            var column = new FloatColumn(scope, row.Name);
            return r => column.Get(r)?.ToString("R", CultureInfo.InvariantCulture);
        }
        public override RowAppender<T> NewAppender<T>(Func<T, float?> get) => new Appender<T>(get);

        private sealed class Appender<T>(Func<T, float?> get) : RowAppender<T>
        {
            private readonly FloatArray.Builder _builder = new();
            public override void Reserve(int count) => _builder.Reserve(count);
            public override void Append(T item)
            {
                if (get(item) is float v) _builder.Append(v); else _builder.AppendNull();
            }
            public override void AppendNull() => _builder.AppendNull();
            public override IArrowArray Build(IArrowType type) => _builder.Build(ManagedMemoryAllocator.Instance);
        }
    }

    private sealed class BooleanCodec : FieldCodec<bool?>
    {
        public override FieldKind Kind => FieldKind.Boolean;
        public override IArrowType ArrowType => BooleanType.Default;
        public override bool Same(bool? a, bool? b) => a == b;
        public override bool? Sample => true;
        public override void WriteJson(Utf8JsonWriter w, string name, bool? value)
        {
            if (value is bool v) w.WriteBoolean(name, v); else w.WriteNull(name);
        }
        public override bool? ReadJson(JsonElement e, string name) =>
            e.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;
        public override Func<int, bool?> BindRead(ColumnScope scope, FieldRow row)
        {
            var column = new BooleanColumn(scope, row.Name, row.PresenceOf);
            return r => column.Get(r);
        }
        public override Func<int, string?> BindCsv(ColumnScope scope, FieldRow row)
        {
            var column = new BooleanColumn(scope, row.Name, row.PresenceOf);
            return r => column.Get(r) switch { true => "true", false => "false", null => null };
        }
        public override RowAppender<T> NewAppender<T>(Func<T, bool?> get) => new Appender<T>(get);

        private sealed class Appender<T>(Func<T, bool?> get) : RowAppender<T>
        {
            private readonly BooleanArray.Builder _builder = new();
            public override void Reserve(int count) => _builder.Reserve(count);
            public override void Append(T item)
            {
                if (get(item) is bool v) _builder.Append(v); else _builder.AppendNull();
            }
            public override void AppendNull() => _builder.AppendNull();
            public override IArrowArray Build(IArrowType type) => _builder.Build(ManagedMemoryAllocator.Instance);
        }
    }

    private sealed class TimestampCodec : FieldCodec<DateTime?>
    {
        public override FieldKind Kind => FieldKind.Timestamp;
        public override IArrowType ArrowType => TimestampMs;
        public override bool Same(DateTime? a, DateTime? b) => a == b;
        public override DateTime? Sample => new DateTime(2026, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc);
        public override void WriteJson(Utf8JsonWriter w, string name, DateTime? value)
        {
            if (value is DateTime d) w.WriteString(name, FormatTime(d)); else w.WriteNull(name);
        }
        public override DateTime? ReadJson(JsonElement e, string name) =>
            Has(e, name, out var v) && v.GetString() is { } s ? DateTime.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal) : null;
        public override Func<int, DateTime?> BindRead(ColumnScope scope, FieldRow row)
        {
            var column = new TimestampColumn(scope, row.Name);
            return r => column.Get(r);
        }
        public override Func<int, string?> BindCsv(ColumnScope scope, FieldRow row)
        {
            var column = new TimestampColumn(scope, row.Name);
            return r => column.Get(r) is DateTime d ? FormatTime(d) : null;
        }
        public override RowAppender<T> NewAppender<T>(Func<T, DateTime?> get) => new Appender<T>(get);

        private sealed class Appender<T>(Func<T, DateTime?> get) : RowAppender<T>
        {
            private readonly TimestampArray.Builder _builder = new(TimestampMs);
            public override void Reserve(int count) => _builder.Reserve(count);
            public override void Append(T item)
            {
                if (get(item) is DateTime d) _builder.Append(StateBatchBuilder.Utc(d)); else _builder.AppendNull();
            }
            public override void AppendNull() => _builder.AppendNull();
            public override IArrowArray Build(IArrowType type) => _builder.Build(ManagedMemoryAllocator.Instance);
        }
    }
}
