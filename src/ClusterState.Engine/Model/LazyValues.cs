using System;

namespace ClusterState;

/// <summary>
/// The state of a lazy row object (<see cref="ClusterTask"/> and friends): its values once they
/// exist, or the row to read them from. Objects made by hand start with empty values.
/// </summary>
internal struct LazyValues<TRow, TValues> where TRow : class where TValues : class, new()
{
    private TValues? _values;
    private RowSource<TRow>? _source;
    private int _row;

    public static LazyValues<TRow, TValues> Filled() => new() { _values = new TValues() };

    public static LazyValues<TRow, TValues> Of(RowSource<TRow> source, int row) => new() { _source = source, _row = row, State = source.State };

    /// <summary>The state the row was read from (a directory or a server URI); null for objects made by hand.</summary>
    public string? State { get; private set; }

    /// <summary>The values, read from the row the first time; <paramref name="valuesOf"/> takes them from the object the source reads.</summary>
    public TValues Get(Func<TRow, TValues> valuesOf)
    {
        var values = System.Threading.Volatile.Read(ref _values);
        if (values is not null) return values;
        // Two threads reading the same row at once may both read it; the first one's values stay.
        var source = _source;
        if (source is null) return _values!;
        values = System.Threading.Interlocked.CompareExchange(ref _values, valuesOf(source.Read(_row)), null) ?? _values!;
        _source = null;
        return values;
    }
}
