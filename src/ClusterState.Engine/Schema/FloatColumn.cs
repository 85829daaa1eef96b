using Apache.Arrow;

namespace ClusterState.Schema;

/// <summary>A floating-point field (float32 in the seed; float64 accepted).</summary>
internal readonly struct FloatColumn
{
    private readonly IArrowArray? _array;
    private readonly ColumnGuard? _guard;
    private readonly int _base;
    private readonly System.Runtime.CompilerServices.StrongBox<FloatColumn>? _delta;
    private readonly int _split;

    public FloatColumn(ColumnScope scope, string name)
    {
        _array = scope.Child(name, out _guard);
        if (_array is not null and not (FloatArray or DoubleArray))
            throw ColumnBinding.Mismatch(name, "float", _array.Data.DataType);
        _base = scope.Base;
        if (scope.Delta is { } d)
        {
            _delta = new(new FloatColumn(d.Scope, name));
            _split = d.Split;
        }
    }

    public float? Get(int row)
    {
        if (_delta is not null && row >= _split) return _delta.Value.Get(row - _split);
        _guard?.Ensure();
        return _array switch
        {
            FloatArray a => a.GetValue(_base + row),
            DoubleArray a => (float?)a.GetValue(_base + row),
            _ => null,
        };
    }
}
