using System;
using Apache.Arrow;

namespace ClusterState.Schema;

/// <summary>A <c>list&lt;string&gt;</c> field.</summary>
internal readonly struct StringListColumn
{
    private readonly ListArray? _array;
    private readonly StringArray? _values;
    private readonly ColumnGuard? _guard;
    private readonly int _base;
    private readonly DeltaColumns<StringListColumn>? _delta;

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
        if (scope.Delta is { } d) _delta = new(d, part => new StringListColumn(part, name));
    }

    public int Length(int row)
    {
        if (_delta is not null && row >= _delta.Split) return _delta.At(row, out int at).Length(at);
        if (_array is null) return 0;
        _guard!.Ensure();
        return _array.IsNull(_base + row) ? 0 : _array.GetValueLength(_base + row);
    }

    /// <summary>The elements of a row's list, read where the row lives (base or log rows).</summary>
    public ListElements Elements(int row)
    {
        if (_delta is not null && row >= _delta.Split) return _delta.At(row, out int at).Elements(at);
        int n = Length(row);
        if (n == 0) return default;
        return new ListElements(_values!.ValueOffsets, _values.Values, _array!.ValueOffsets[_base + row], n);
    }

    /// <summary>Index of the row's first element in the values array (use with <see cref="ElementBytes"/>; base rows only).</summary>
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
        if (_delta is not null && row >= _delta.Split) return _delta.At(row, out int at).Get(at);
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
        if (_delta is not null && row >= _delta.Split) return _delta.At(row, out int at).Contains(at, set);
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
