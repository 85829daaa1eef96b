using Apache.Arrow;

namespace ClusterState.Schema;

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
    private readonly DeltaColumns<BooleanColumn>? _delta;

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
        if (scope.Delta is { } d) _delta = new(d, part => new BooleanColumn(part, name, presenceOf));
    }

    public bool? Get(int row)
    {
        if (_delta is not null && row >= _delta.Split) return _delta.At(row, out int at).Get(at);
        _guard?.Ensure();
        return _array is not null ? _array.GetValue(_base + row)
            : _presence is not null ? !_presence.IsNull(_base + row)
            : null;
    }
}
