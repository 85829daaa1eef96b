using System;
using Apache.Arrow;

namespace ClusterState.Schema;

/// <summary>A string field of an entity struct.</summary>
internal readonly struct StringColumn
{
    private readonly StringArray? _array;
    private readonly ColumnGuard? _guard;
    private readonly int _base;
    private readonly DeltaColumns<StringColumn>? _delta;

    public StringColumn(ColumnScope scope, string name)
    {
        _array = scope.Child(name, out _guard) switch
        {
            null => null,
            StringArray s => s,
            var other => throw ColumnBinding.Mismatch(name, "string", other.Data.DataType),
        };
        _base = scope.Base;
        if (scope.Delta is { } d) _delta = new(d, part => new StringColumn(part, name));
    }

    public bool IsPresent => _array is not null;

    /// <summary>A merged view's log rows, each in its record's column (null for a base read alone).</summary>
    public DeltaColumns<StringColumn>? Delta => _delta;

    public bool IsNull(int row)
    {
        if (_delta is not null && row >= _delta.Split) return _delta.At(row, out int at).IsNull(at);
        if (_array is null) return true;
        _guard!.Ensure();
        return _array.IsNull(_base + row);
    }

    public string? Get(int row)
    {
        if (_delta is not null && row >= _delta.Split) return _delta.At(row, out int at).Get(at);
        return IsNull(row) ? null : SafeStrings.Get(_array!, _base + row);
    }

    /// <summary>The UTF-8 bytes of a row (empty for null).</summary>
    public ReadOnlySpan<byte> GetBytes(int row)
    {
        if (_delta is not null && row >= _delta.Split) return _delta.At(row, out int at).GetBytes(at);
        if (_array is null) return default;
        _guard!.Ensure();
        var offsets = _array.ValueOffsets;
        int start = offsets[_base + row];
        return _array.Values.Slice(start, offsets[_base + row + 1] - start);
    }

    /// <summary>
    /// Whether row <paramref name="row"/> holds exactly <paramref name="key"/> (false for null).
    /// Reads only that row's bounds, without validating the column: a merge checks each log
    /// row's base row against the base's key, and validating a million offsets for the ten
    /// thousand rows a long log names was half of opening it in a new process. A row whose bounds
    /// do not fit the column has the whole column validated, which reports the damage.
    /// </summary>
    public bool Holds(int row, ReadOnlySpan<byte> key)
    {
        if (_delta is not null && row >= _delta.Split) return _delta.At(row, out int at).Holds(at, key);
        if (_array is null) return false;
        int index = _base + row;
        try
        {
            if (index >= 0 && index < _array.Length)
            {
                if (_array.IsNull(index)) return false;
                var offsets = _array.ValueOffsets;
                int start = offsets[index], end = offsets[index + 1];
                var values = _array.Values;
                if (start >= 0 && end >= start && end <= values.Length) return values.Slice(start, end - start).SequenceEqual(key);
            }
        }
        catch (ArgumentOutOfRangeException)
        {
            // The row's buffers are shorter than the array says: reported as the column's damage below.
        }
        catch (IndexOutOfRangeException)
        {
        }
        _guard!.Ensure(); // throws SnapshotCorrupt naming the column
        return false;
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
