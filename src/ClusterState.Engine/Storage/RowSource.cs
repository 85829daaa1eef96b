using System;

namespace ClusterState.Storage;

/// <summary>
/// Keeps a snapshot's mapping alive for the row objects of one query that have not read their
/// columns yet. Row objects outlive the command that made them (they sit in variables), so the
/// lease ends with the garbage collector, not with a Dispose: once no unread row refers to it,
/// its finalizer drops the reference it took.
/// </summary>
internal sealed class SnapshotLease
{
    private readonly MappedFile _mapping;

    public SnapshotLease(MappedFile mapping)
    {
        mapping.AddReference();
        _mapping = mapping;
    }

    ~SnapshotLease() => _mapping.Release();
}

/// <summary>Where lazy row objects (<see cref="ClusterTask"/> and friends) read themselves from.</summary>
internal sealed class RowSource<T>(SnapshotLease lease, Func<int, T> read)
{
    // Held only so the mapping outlives every row that still reads from it.
    private readonly SnapshotLease _lease = lease;

    public T Read(int row)
    {
        GC.KeepAlive(_lease);
        return read(row);
    }
}
