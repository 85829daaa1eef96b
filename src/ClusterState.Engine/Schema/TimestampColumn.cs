using System;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace ClusterState.Schema;

/// <summary>A timestamp field of any unit, read as UTC <see cref="DateTime"/>.</summary>
internal readonly struct TimestampColumn
{
    private readonly TimestampArray? _array;
    private readonly ColumnGuard? _guard;
    private readonly int _base;
    private readonly DeltaColumns<TimestampColumn>? _delta;

    public TimestampColumn(ColumnScope scope, string name)
    {
        _array = scope.Child(name, out _guard) switch
        {
            null => null,
            TimestampArray t => t,
            var other => throw ColumnBinding.Mismatch(name, "timestamp", other.Data.DataType),
        };
        _base = scope.Base;
        if (scope.Delta is { } d) _delta = new(d, part => new TimestampColumn(part, name));
    }

    public DateTime? Get(int row)
    {
        if (_delta is not null && row >= _delta.Split) return _delta.At(row, out int at).Get(at);
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
        if (_delta is not null && row >= _delta.Split) return _delta.At(row, out int at).IsNull(at);
        if (_array is null) return true;
        _guard!.Ensure();
        return _array.IsNull(_base + row);
    }

    /// <summary>Milliseconds since the Unix epoch, or null (no DateTime is made).</summary>
    public long? GetMilliseconds(int row)
    {
        if (_delta is not null && row >= _delta.Split) return _delta.At(row, out int at).GetMilliseconds(at);
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
