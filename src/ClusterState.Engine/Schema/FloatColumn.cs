using Apache.Arrow;

namespace ClusterState.Schema;

/// <summary>A floating-point field (float32 in the seed; float64 accepted).</summary>
internal readonly struct FloatColumn
{
    private readonly IArrowArray? _array;
    private readonly ColumnGuard? _guard;
    private readonly int _base;
    private readonly DeltaColumns<FloatColumn>? _delta;

    public FloatColumn(ColumnScope scope, string name)
    {
        _array = scope.Child(name, out _guard);
        if (_array is not null and not (FloatArray or DoubleArray))
            throw ColumnBinding.Mismatch(name, "float", _array.Data.DataType);
        _base = scope.Base;
        if (scope.Delta is { } d) _delta = new(d, part => new FloatColumn(part, name));
    }

    public float? Get(int row)
    {
        if (_delta is not null && row >= _delta.Split) return _delta.At(row, out int at).Get(at);
        _guard?.Ensure();
        return _array switch
        {
            FloatArray a => a.GetValue(_base + row),
            DoubleArray a => (float?)a.GetValue(_base + row),
            _ => null,
        };
    }
}
