using System;

namespace ClusterState;

/// <summary>Where lazy row objects (<see cref="ClusterTask"/> and friends) read themselves from.</summary>
internal sealed class RowSource<T>(object lease, Func<int, T> read, string? state)
{
    /// <summary>Where the rows' state is (a directory or a server URI): the rows remember it after their values are read.</summary>
    public string? State { get; } = state;

    // Held only so what the rows read from (a snapshot's mapping, through its lease) outlives every row that still reads.
    private readonly object _lease = lease;

    public T Read(int row)
    {
        GC.KeepAlive(_lease);
        return read(row);
    }
}
