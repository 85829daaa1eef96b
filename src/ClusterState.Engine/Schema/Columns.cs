using System;
using Apache.Arrow;
using Apache.Arrow.Types;

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
    /// <summary>The field's array (null when absent) and the guard that validates it on first use.</summary>
    public IArrowArray? Child(string name, out ColumnGuard? guard)
    {
        var array = Parent is null ? null : ColumnBinding.Child(Parent, name);
        guard = Guard(array, name);
        return array;
    }

    /// <summary>A guard for <paramref name="array"/>, a field of this scope (null for an absent field).</summary>
    public ColumnGuard? Guard(IArrowArray? array, string name) =>
        array is null ? null : new ColumnGuard(array, Base + Count, Path + "." + name);
}

/// <summary>A string field of an entity struct.</summary>
internal readonly struct StringColumn
{
    private readonly StringArray? _array;
    private readonly ColumnGuard? _guard;
    private readonly int _base;

    public StringColumn(ColumnScope scope, string name)
    {
        _array = scope.Child(name, out _guard) switch
        {
            null => null,
            StringArray s => s,
            var other => throw ColumnBinding.Mismatch(name, "string", other.Data.DataType),
        };
        _base = scope.Base;
    }

    public bool IsPresent => _array is not null;

    public bool IsNull(int row)
    {
        if (_array is null) return true;
        _guard!.Ensure();
        return _array.IsNull(_base + row);
    }

    public string? Get(int row) => IsNull(row) ? null : SafeStrings.Get(_array!, _base + row);

    /// <summary>The UTF-8 bytes of a row (empty for null).</summary>
    public ReadOnlySpan<byte> GetBytes(int row)
    {
        if (_array is null) return default;
        _guard!.Ensure();
        var offsets = _array.ValueOffsets;
        int start = offsets[_base + row];
        return _array.Values.Slice(start, offsets[_base + row + 1] - start);
    }

    /// <summary>Raw buffers for scans: offsets (already sliced to the array) and values, plus the row base.</summary>
    public bool TryGetBuffers(out ReadOnlySpan<int> offsets, out ReadOnlySpan<byte> values, out int baseIndex)
    {
        baseIndex = _base;
        if (_array is null)
        {
            offsets = default;
            values = default;
            return false;
        }
        _guard!.Ensure();
        offsets = _array.ValueOffsets;
        values = _array.Values;
        return true;
    }

    public bool HasNulls
    {
        get
        {
            if (_array is null) return true;
            _guard!.Ensure();
            return _array.NullCount > 0;
        }
    }

    /// <summary>The offsets (as bytes, not sliced) and values buffers as memory, for scans split across threads.</summary>
    public bool TryGetMemory(out ReadOnlyMemory<byte> offsets, out ReadOnlyMemory<byte> values, out int baseIndex)
    {
        if (_array is null)
        {
            offsets = values = default;
            baseIndex = 0;
            return false;
        }
        _guard!.Ensure();
        offsets = _array.ValueOffsetsBuffer.Memory;
        values = _array.ValueBuffer.Memory;
        baseIndex = _array.Offset + _base;
        return true;
    }
}

/// <summary>An integer field of any width (the ipfs_kit_py variant writes int8/int16), read as 64 bits.</summary>
internal readonly struct IntegerColumn
{
    private readonly IArrowArray? _array;
    private readonly ColumnGuard? _guard;
    private readonly int _base;

    public IntegerColumn(ColumnScope scope, string name)
    {
        _array = scope.Child(name, out _guard);
        if (_array is not null && _array.Data.DataType.TypeId is not (ArrowTypeId.Int8 or ArrowTypeId.Int16 or ArrowTypeId.Int32
            or ArrowTypeId.Int64 or ArrowTypeId.UInt8 or ArrowTypeId.UInt16 or ArrowTypeId.UInt32))
            throw ColumnBinding.Mismatch(name, "integer", _array.Data.DataType);
        _base = scope.Base;
    }

    public long? Get(int row)
    {
        _guard?.Ensure();
        int i = _base + row;
        return _array switch
        {
            null => null,
            Int32Array a => a.GetValue(i),
            Int64Array a => a.GetValue(i),
            Int16Array a => a.GetValue(i),
            Int8Array a => a.GetValue(i),
            UInt8Array a => a.GetValue(i),
            UInt16Array a => a.GetValue(i),
            UInt32Array a => a.GetValue(i),
            _ => null,
        };
    }

    /// <summary>The sum of rows [0, count) with nulls as zero; straight over the values when there are no nulls.</summary>
    public long Sum(int count)
    {
        _guard?.Ensure();
        long sum = 0;
        switch (_array)
        {
            case Int64Array a when a.NullCount == 0:
                foreach (long v in a.Values.Slice(_base, count)) sum += v;
                return sum;
            case Int32Array a when a.NullCount == 0:
                foreach (int v in a.Values.Slice(_base, count)) sum += v;
                return sum;
            default:
                for (int i = 0; i < count; i++) sum += Get(i) ?? 0;
                return sum;
        }
    }

    public int? GetInt32(int row) => Get(row) is long v ? (int)Math.Clamp(v, int.MinValue, int.MaxValue) : null;
}

/// <summary>A floating-point field (float32 in the seed; float64 accepted).</summary>
internal readonly struct FloatColumn
{
    private readonly IArrowArray? _array;
    private readonly ColumnGuard? _guard;
    private readonly int _base;

    public FloatColumn(ColumnScope scope, string name)
    {
        _array = scope.Child(name, out _guard);
        if (_array is not null and not (FloatArray or DoubleArray))
            throw ColumnBinding.Mismatch(name, "float", _array.Data.DataType);
        _base = scope.Base;
    }

    public float? Get(int row)
    {
        _guard?.Ensure();
        return _array switch
        {
            FloatArray a => a.GetValue(_base + row),
            DoubleArray a => (float?)a.GetValue(_base + row),
            _ => null,
        };
    }
}

/// <summary>
/// A boolean field. When the field is missing but <c>presenceOf</c> names a field that is there,
/// the value is whether that field is set (the ipfs_kit_py variant stores pinned_at, not pinned).
/// </summary>
internal readonly struct BooleanColumn
{
    private readonly BooleanArray? _array;
    private readonly IArrowArray? _presence;
    private readonly ColumnGuard? _guard;
    private readonly int _base;

    public BooleanColumn(ColumnScope scope, string name, string? presenceOf = null)
    {
        _array = scope.Child(name, out _guard) switch
        {
            null => null,
            BooleanArray b => b,
            var other => throw ColumnBinding.Mismatch(name, "bool", other.Data.DataType),
        };
        if (_array is null && presenceOf is not null) _presence = scope.Child(presenceOf, out _guard);
        _base = scope.Base;
    }

    public bool? Get(int row)
    {
        _guard?.Ensure();
        return _array is not null ? _array.GetValue(_base + row)
            : _presence is not null ? !_presence.IsNull(_base + row)
            : null;
    }
}

/// <summary>A timestamp field of any unit, read as UTC <see cref="DateTime"/>.</summary>
internal readonly struct TimestampColumn
{
    private readonly TimestampArray? _array;
    private readonly ColumnGuard? _guard;
    private readonly int _base;

    public TimestampColumn(ColumnScope scope, string name)
    {
        _array = scope.Child(name, out _guard) switch
        {
            null => null,
            TimestampArray t => t,
            var other => throw ColumnBinding.Mismatch(name, "timestamp", other.Data.DataType),
        };
        _base = scope.Base;
    }

    public DateTime? Get(int row)
    {
        if (IsNull(row)) return null;
        try
        {
            return _array!.GetTimestampUnchecked(_base + row).UtcDateTime;
        }
        catch (ArgumentOutOfRangeException e)
        {
            // Any int64 is a valid Arrow timestamp, but not every one is a DateTime: a damaged
            // value is reported like other damage, not as a raw exception from deep in a query.
            throw ArrayValidation.Corrupt(_guard!.Column, $"row {row} holds {_array!.Values[_base + row]}, not a time within the years 1-9999", e);
        }
    }

    private bool IsNull(int row)
    {
        if (_array is null) return true;
        _guard!.Ensure();
        return _array.IsNull(_base + row);
    }

    /// <summary>Milliseconds since the Unix epoch, or null (no DateTime is made).</summary>
    public long? GetMilliseconds(int row)
    {
        if (IsNull(row)) return null;
        long raw = _array!.Values[_base + row];
        return ((Apache.Arrow.Types.TimestampType)_array.Data.DataType).Unit switch
        {
            TimeUnit.Second => raw * 1000,
            TimeUnit.Millisecond => raw,
            TimeUnit.Microsecond => raw / 1000,
            _ => raw / 1_000_000,
        };
    }
}

/// <summary>A <c>list&lt;string&gt;</c> field.</summary>
internal readonly struct StringListColumn
{
    private readonly ListArray? _array;
    private readonly StringArray? _values;
    private readonly ColumnGuard? _guard;
    private readonly int _base;

    public StringListColumn(ColumnScope scope, string name)
    {
        // The guard validates the list offsets and, through them, the element strings' offsets.
        _array = scope.Child(name, out _guard) switch
        {
            null => null,
            ListArray { Values: StringArray } l => l,
            var other => throw ColumnBinding.Mismatch(name, "list<string>", other.Data.DataType),
        };
        _values = (StringArray?)_array?.Values;
        _base = scope.Base;
    }

    public int Length(int row)
    {
        if (_array is null) return 0;
        _guard!.Ensure();
        return _array.IsNull(_base + row) ? 0 : _array.GetValueLength(_base + row);
    }

    /// <summary>Index of the row's first element in the values array (use with <see cref="ElementBytes"/>).</summary>
    public int Start(int row)
    {
        if (_array is null) return 0;
        _guard!.Ensure();
        return _array.ValueOffsets[_base + row];
    }

    /// <summary>The offsets and bytes of the values array (element indexes as <see cref="Start"/> gives them); false when the field is absent.</summary>
    public bool TryGetElementBuffers(out ReadOnlySpan<int> offsets, out ReadOnlySpan<byte> values)
    {
        if (_values is null)
        {
            offsets = default;
            values = default;
            return false;
        }
        _guard!.Ensure();
        offsets = _values.ValueOffsets;
        values = _values.Values;
        return true;
    }

    /// <summary>The UTF-8 bytes of element <paramref name="k"/> of the values array.</summary>
    public ReadOnlySpan<byte> ElementBytes(int k)
    {
        _guard!.Ensure();
        var offsets = _values!.ValueOffsets;
        int start = offsets[k];
        return _values.Values.Slice(start, offsets[k + 1] - start);
    }

    public string[] Get(int row)
    {
        int n = Length(row);
        if (n == 0) return System.Array.Empty<string>();
        int start = _array!.ValueOffsets[_base + row];
        var result = new string[n];
        for (int k = 0; k < n; k++) result[k] = _values!.IsNull(start + k) ? "" : SafeStrings.Get(_values, start + k);
        return result;
    }

    /// <summary>True when any element of the row's list equals one of <paramref name="set"/>.</summary>
    public bool Contains(int row, IUtf8Matcher set)
    {
        int n = Length(row);
        if (n == 0) return false;
        int start = _array!.ValueOffsets[_base + row];
        var offsets = _values!.ValueOffsets;
        var bytes = _values.Values;
        for (int k = start; k < start + n; k++)
        {
            if (set.Matches(bytes.Slice(offsets[k], offsets[k + 1] - offsets[k]))) return true;
        }
        return false;
    }
}

/// <summary>
/// Decodes strings through bounds-checked spans. Apache.Arrow's <c>StringArray.GetString</c>
/// decodes through a raw pointer without checking the offsets, so a damaged snapshot could
/// make it read outside the mapping; here a bad offset is an <see cref="ArgumentOutOfRangeException"/>.
/// </summary>
internal static class SafeStrings
{
    public static string Get(StringArray array, int index)
    {
        var offsets = array.ValueOffsets;
        int start = offsets[index];
        return System.Text.Encoding.UTF8.GetString(array.Values.Slice(start, offsets[index + 1] - start));
    }
}

/// <summary>Something that decides on raw UTF-8 bytes (a value set, a pattern) without decoding.</summary>
internal interface IUtf8Matcher
{
    bool Matches(ReadOnlySpan<byte> utf8);
}

/// <summary>Finds and checks child arrays by name.</summary>
internal static class ColumnBinding
{
    /// <summary>
    /// Field names the ipfs_kit_py ArrowClusterState variant uses for the seed's fields
    /// (SPEC.md §1). They are read in place of the missing seed field, never written.
    /// </summary>
    private static readonly System.Collections.Generic.Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["cpu_load"] = "cpu_usage",
        ["disk_available"] = "disk_free",
        ["output_cid"] = "result_cid",
        ["created_at"] = "pinned_at",
    };

    public static IArrowArray? Child(StructArray parent, string name)
    {
        var type = (StructType)parent.Data.DataType;
        int index = type.GetFieldIndex(name, StringComparer.Ordinal);
        if (index < 0 && Aliases.TryGetValue(name, out var alias)) index = type.GetFieldIndex(alias, StringComparer.Ordinal);
        return index < 0 ? null : parent.Fields[index];
    }

    /// <summary>
    /// A top-level column by name, or null. (Apache.Arrow 23's <c>RecordBatch.Column(name)</c>
    /// throws ArgumentOutOfRangeException for a missing name instead of returning null.)
    /// </summary>
    public static IArrowArray? Column(RecordBatch batch, string name)
    {
        int index = batch.Schema.GetFieldIndex(name, StringComparer.Ordinal);
        return index < 0 || index >= batch.ColumnCount ? null : batch.Column(index);
    }

    public static ClusterStateException Mismatch(string field, string expected, IArrowType actual) =>
        new(ErrorIds.SchemaMismatch, ClusterStateErrorKind.InvalidData,
            $"The field '{field}' has type {actual.Name}; the cluster-state schema needs {expected}.", field);
}
