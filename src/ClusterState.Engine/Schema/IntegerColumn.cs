using System;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace ClusterState.Schema;

/// <summary>An integer field of any width (the ipfs_kit_py variant writes int8/int16), read as 64 bits.</summary>
internal readonly struct IntegerColumn
{
    private readonly IArrowArray? _array;
    private readonly ColumnGuard? _guard;
    private readonly int _base;
    private readonly DeltaColumns<IntegerColumn>? _delta;

    public IntegerColumn(ColumnScope scope, string name)
    {
        _array = scope.Child(name, out _guard);
        if (_array is not null && _array.Data.DataType.TypeId is not (ArrowTypeId.Int8 or ArrowTypeId.Int16 or ArrowTypeId.Int32
            or ArrowTypeId.Int64 or ArrowTypeId.UInt8 or ArrowTypeId.UInt16 or ArrowTypeId.UInt32))
            throw ColumnBinding.Mismatch(name, "integer", _array.Data.DataType);
        _base = scope.Base;
        if (scope.Delta is { } d) _delta = new(d, part => new IntegerColumn(part, name));
    }

    public long? Get(int row)
    {
        if (_delta is not null && row >= _delta.Split) return _delta.At(row, out int at).Get(at);
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
