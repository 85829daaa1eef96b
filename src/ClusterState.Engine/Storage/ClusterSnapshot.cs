using System;
using System.IO;
using System.Linq;
using System.Threading;
using Apache.Arrow;
using ClusterState.Schema;
using ClusterState.Storage;

namespace ClusterState;

/// <summary>
/// A handle on one immutable snapshot of a cluster state: the memory-mapped Arrow IPC file, its
/// one-row <see cref="RecordBatch"/> whose buffers are slices of the mapping (no copy), and
/// typed column access for queries. Dispose the handle when done; the mapping stays while any
/// handle (or the process-wide cache of the newest snapshot per state) uses it. Arrays taken
/// from a snapshot fail cleanly (never read freed memory) once the mapping is released.
/// </summary>
public sealed class ClusterSnapshot : IDisposable
{
    private readonly SnapshotData _data;
    private int _disposed;

    private ClusterSnapshot(string? statePath, StateMetadata? metadata, SnapshotData data, bool partial = false)
    {
        StatePath = statePath;
        Metadata = metadata;
        _data = data;
        IsPartial = partial;
    }

    /// <summary>
    /// True when the snapshot holds only the rows a server returned for one query of one entity
    /// (the other entities are empty): enough to answer that query, not others.
    /// </summary>
    public bool IsPartial { get; }

    /// <summary>The state directory (the server's URI for a remote state), or null when a bare snapshot file was opened.</summary>
    public string? StatePath { get; }

    /// <summary>The snapshot file that is mapped.</summary>
    public string SnapshotPath => _data.Mapping.Path;

    /// <summary>The metadata the snapshot was found through (null for a bare file).</summary>
    public StateMetadata? Metadata { get; }

    /// <summary>
    /// The state as one one-row record batch. Without a commit log its buffers point into the
    /// mapped snapshot; with one, base and log are folded into it on first use (a copy: queries
    /// never need it, they read base and log rows in place).
    /// </summary>
    public RecordBatch RecordBatch => Live.StateBatch;

    /// <summary>The Arrow schema, with its key/value metadata.</summary>
    public Apache.Arrow.Schema Schema => Live.StateSchema;

    /// <summary>Cluster id.</summary>
    public string ClusterId => _data.ClusterId;

    /// <summary>Master node id.</summary>
    public string MasterId => _data.MasterId;

    /// <summary>When the state was last updated (UTC).</summary>
    public DateTime? UpdatedAt => _data.UpdatedAt;

    /// <summary>The commit generation of this snapshot.</summary>
    public long Generation => _data.Generation;

    /// <summary>The schema version the snapshot was written in.</summary>
    public int SchemaVersion => _data.SchemaVersion;

    /// <summary>Number of nodes.</summary>
    public int NodeCount => Nodes.Count;

    /// <summary>Number of tasks.</summary>
    public int TaskCount => Tasks.Count;

    /// <summary>Number of content items.</summary>
    public int ContentCount => Content.Count;

    /// <summary>Size of the snapshot file in bytes, and of the commit log read with it.</summary>
    public long SizeBytes => _data.Mapping.Length + (_data.Log?.Length ?? 0);

    /// <summary>
    /// The state as the bytes of one Arrow IPC file: the mapped snapshot file itself without a
    /// commit log (valid while the snapshot is open), else the folded state written out once.
    /// </summary>
    public ReadOnlyMemory<byte> FileBytes => Live.FileBytes;

    /// <summary>Why the commit log was read only in part (a torn or damaged record after the last good one), or null.</summary>
    public string? LogDamage => _data.LogDamage;

    internal NodeColumns Nodes => Live.Nodes;

    internal TaskColumns Tasks => Live.Tasks;

    internal ContentColumns Content => Live.Content;

    internal SnapshotData Data => Live;

    private SnapshotData Live => Volatile.Read(ref _disposed) == 0
        ? _data
        : throw new ObjectDisposedException(nameof(ClusterSnapshot), $"The snapshot '{SnapshotPath}' was disposed.");

    /// <summary>
    /// Opens the current snapshot of a state directory (through <c>state_metadata.json</c>).
    /// Reopening an unchanged state reuses its mapping.
    /// </summary>
    public static ClusterSnapshot Open(string stateDirectory)
    {
        if (!Directory.Exists(stateDirectory))
            throw new ClusterStateException(ErrorIds.StateNotFound, ClusterStateErrorKind.NotFound,
                $"The cluster state directory '{stateDirectory}' does not exist.", stateDirectory);
        // A writer may switch the metadata and delete an old snapshot between our reading the
        // metadata and opening the file: then the metadata names a newer snapshot; try that.
        for (int attempt = 0; ; attempt++)
        {
            var metadata = StateMetadata.Read(stateDirectory);
            string snapshotPath = Path.Combine(stateDirectory, metadata.Snapshot);
            try
            {
                return new ClusterSnapshot(stateDirectory, metadata, SnapshotCache.Acquire(snapshotPath, metadata));
            }
            catch (Exception e) when (e is FileNotFoundException || (e is ClusterStateException { ErrorId: ErrorIds.SnapshotMissing }))
            {
                if (attempt < 3 && StateMetadata.Read(stateDirectory).Snapshot != metadata.Snapshot) continue;
                throw new ClusterStateException(ErrorIds.SnapshotMissing, ClusterStateErrorKind.NotFound,
                    $"The state metadata of '{stateDirectory}' points to the snapshot '{metadata.Snapshot}', which does not exist.", snapshotPath, e);
            }
        }
    }

    /// <summary>
    /// Opens the state of a directory as a writer that holds the writer lock finds it: through
    /// metadata the writer read, and with every good record of the log — also those after the
    /// metadata's <c>log_length</c>, which only a writer that crashed between its append and its
    /// metadata switch, or a metadata switch a power loss undid, leaves there (readers stop at
    /// <c>log_length</c>; the next commit publishes them).
    /// </summary>
    internal static ClusterSnapshot OpenToWrite(string stateDirectory, StateMetadata metadata)
    {
        var read = metadata;
        if (metadata.Log is { } log && new FileInfo(Path.Combine(stateDirectory, log)) is { Exists: true } file && file.Length > metadata.LogLength && file.Length <= int.MaxValue)
        {
            read = metadata.Clone();
            read.LogLength = file.Length;
        }
        return new ClusterSnapshot(stateDirectory, metadata, SnapshotCache.Acquire(Path.Combine(stateDirectory, metadata.Snapshot), read));
    }

    /// <summary>Opens a local copy of a remote state's snapshot (<see cref="RemoteState"/>), named by the server's URI.</summary>
    internal static ClusterSnapshot OpenMirror(string location, string file, StateMetadata metadata) =>
        new(location, metadata, SnapshotCache.Acquire(file, WithoutLog(metadata)));

    /// <summary>The metadata of a file that holds a whole generation (a remote state's copy): the server's log is folded into it.</summary>
    private static StateMetadata WithoutLog(StateMetadata metadata)
    {
        if (metadata.Log is null) return metadata;
        var copy = metadata.Clone();
        copy.Log = null;
        copy.LogLength = 0;
        return copy;
    }

    /// <summary>Opens the rows a server returned for one query (<see cref="IsPartial"/>), not cached.</summary>
    internal static ClusterSnapshot OpenPartial(string location, string file, StateMetadata metadata) =>
        new(location, metadata, SnapshotData.Load(file, WithoutLog(metadata)), partial: true);

    /// <summary>Opens a bare Arrow IPC snapshot file (no state directory around it, no cache).</summary>
    public static ClusterSnapshot OpenFile(string snapshotPath) => new(null, null, SnapshotData.Load(snapshotPath, null, followLinks: true));

    /// <summary>What Get-ClusterMetadata reports about this snapshot: its metadata keys plus counts and size.</summary>
    public ClusterMetadata Describe() => new()
    {
        ClusterId = ClusterId,
        MasterId = MasterId,
        SchemaVersion = SchemaVersion,
        Generation = Generation,
        UpdatedAt = UpdatedAt,
        NodeCount = NodeCount,
        TaskCount = TaskCount,
        ContentCount = ContentCount,
        StatePath = StatePath ?? System.IO.Path.GetDirectoryName(SnapshotPath) ?? "",
        Snapshot = Metadata?.Snapshot ?? System.IO.Path.GetFileName(SnapshotPath),
        SnapshotBytes = SizeBytes,
        ParquetPath = Metadata?.ParquetPath,
        CheckpointGeneration = Metadata?.CheckpointGeneration,
        CheckpointAt = Metadata?.CheckpointAt,
        CheckpointPolicy = Metadata?.CheckpointPolicy,
    };

    /// <summary>Drops the process-wide cache of mapped snapshots; open handles stay valid.</summary>
    public static void ClearCache() => SnapshotCache.Clear();

    /// <summary>
    /// True when every buffer of the base's record batch lies inside the memory mapping, i.e.
    /// nothing of the base was copied on open (a commit log's rows are read into a small delta).
    /// </summary>
    public bool IsZeroCopy() => Live.Batch.Arrays.All(a => AllBuffersMapped(a.Data));

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _data.Release();
    }

    /// <inheritdoc />
    public override string ToString() => $"{ClusterId} (generation {Generation}, {NodeCount} nodes, {TaskCount} tasks, {ContentCount} content)";

    private bool AllBuffersMapped(ArrayData data) =>
        data.Buffers.All(b => b.IsEmpty || _data.Mapping.Contains(b.Memory))
        && (data.Children is null || data.Children.All(AllBuffersMapped));
}
