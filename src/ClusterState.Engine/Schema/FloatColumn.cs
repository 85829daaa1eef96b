using Apache.Arrow;

namespace ClusterState.Schema;

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
