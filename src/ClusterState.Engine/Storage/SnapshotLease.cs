namespace ClusterState.Storage;

/// <summary>
/// Keeps a snapshot's mapping alive for the row objects of one query that have not read their
/// columns yet. Row objects outlive the command that made them (they sit in variables), so the
/// lease ends with the garbage collector, not with a Dispose: once no unread row refers to it,
/// its finalizer drops the reference it took.
/// </summary>
internal sealed class SnapshotLease
{
    private readonly SnapshotData _data;

    public SnapshotLease(SnapshotData data)
    {
        data.AddReference();
        _data = data;
    }

    ~SnapshotLease() => _data.Release();
}
