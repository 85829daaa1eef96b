using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using ClusterState.Schema;
using ClusterState.Storage;

namespace ClusterState;

/// <summary>
/// One opened, immutable snapshot of a cluster state: the memory-mapped Arrow IPC file, its
/// one-row <see cref="RecordBatch"/> whose buffers are slices of the mapping (no copy), and
/// typed column access for queries. Dispose it to unmap; arrays taken from it keep the
/// mapping alive until they are collected, and fail cleanly (never read freed memory) if
/// used after an explicit dispose.
/// </summary>
public sealed class ClusterSnapshot : IDisposable
{
    /// <summary>The 8 bytes that open (and, as 6, close) every Arrow IPC file.</summary>
    private static ReadOnlySpan<byte> Magic => "ARROW1"u8;

    private readonly MappedFile _mapping;
    private int _disposed;
    private NodeColumns? _nodes;
    private TaskColumns? _tasks;
    private ContentColumns? _content;

    private ClusterSnapshot(string? statePath, StateMetadata? metadata, MappedFile mapping, RecordBatch batch)
    {
        StatePath = statePath;
        Metadata = metadata;
        _mapping = mapping;
        RecordBatch = batch;
        var schemaMetadata = batch.Schema.Metadata ?? new Dictionary<string, string>();
        SchemaVersion = ReadVersion(schemaMetadata, batch);
        Generation = schemaMetadata.TryGetValue(ClusterSchema.GenerationKey, out var g) && long.TryParse(g, NumberStyles.Integer, CultureInfo.InvariantCulture, out long gen)
            ? gen
            : metadata?.Generation ?? 0;
        // Bind every entity now: a wrong schema fails on open with a clear error, not mid-query.
        _nodes = new NodeColumns(batch);
        _tasks = new TaskColumns(batch);
        _content = new ContentColumns(batch);
        ClusterId = ReadScalarString(batch, ClusterSchema.Names.ClusterId) ?? metadata?.ClusterId ?? "";
        MasterId = ReadScalarString(batch, ClusterSchema.Names.MasterId) ?? metadata?.MasterId ?? "";
        UpdatedAt = batch.Column(ClusterSchema.Names.UpdatedAt, StringComparer.Ordinal) is TimestampArray ts && ts.Length == 1 && !ts.IsNull(0)
            ? ts.GetTimestampUnchecked(0).UtcDateTime
            : metadata?.UpdatedAt;
    }

    /// <summary>The state directory, or null when a bare snapshot file was opened.</summary>
    public string? StatePath { get; }

    /// <summary>The snapshot file that is mapped.</summary>
    public string SnapshotPath => _mapping.Path;

    /// <summary>The metadata the snapshot was found through (null for a bare file).</summary>
    public StateMetadata? Metadata { get; }

    /// <summary>The one-row record batch; its buffers point into the mapped file.</summary>
    public RecordBatch RecordBatch { get; }

    /// <summary>The Arrow schema, with its key/value metadata.</summary>
    public Apache.Arrow.Schema Schema => RecordBatch.Schema;

    /// <summary>Cluster id.</summary>
    public string ClusterId { get; }

    /// <summary>Master node id.</summary>
    public string MasterId { get; }

    /// <summary>When the state was last updated (UTC).</summary>
    public DateTime? UpdatedAt { get; }

    /// <summary>The commit generation of this snapshot.</summary>
    public long Generation { get; }

    /// <summary>The schema version the snapshot was written in.</summary>
    public int SchemaVersion { get; }

    /// <summary>Number of nodes.</summary>
    public int NodeCount => Nodes.Count;

    /// <summary>Number of tasks.</summary>
    public int TaskCount => Tasks.Count;

    /// <summary>Number of content items.</summary>
    public int ContentCount => Content.Count;

    /// <summary>Size of the snapshot file in bytes.</summary>
    public long SizeBytes => _mapping.Length;

    internal NodeColumns Nodes => _nodes ?? throw Disposed();

    internal TaskColumns Tasks => _tasks ?? throw Disposed();

    internal ContentColumns Content => _content ?? throw Disposed();

    /// <summary>Opens the current snapshot of a state directory (through <c>state_metadata.json</c>).</summary>
    public static ClusterSnapshot Open(string stateDirectory)
    {
        if (!Directory.Exists(stateDirectory))
            throw new ClusterStateException(ErrorIds.StateNotFound, ClusterStateErrorKind.NotFound,
                $"The cluster state directory '{stateDirectory}' does not exist.", stateDirectory);
        var metadata = StateMetadata.Read(stateDirectory);
        string snapshotPath = Path.Combine(stateDirectory, metadata.Snapshot);
        if (!File.Exists(snapshotPath))
            throw new ClusterStateException(ErrorIds.SnapshotMissing, ClusterStateErrorKind.NotFound,
                $"The state metadata of '{stateDirectory}' points to the snapshot '{metadata.Snapshot}', which does not exist.", snapshotPath);
        return OpenFile(snapshotPath, stateDirectory, metadata);
    }

    /// <summary>Opens a bare Arrow IPC snapshot file (no state directory around it).</summary>
    public static ClusterSnapshot OpenFile(string snapshotPath) => OpenFile(snapshotPath, null, null);

    private static ClusterSnapshot OpenFile(string snapshotPath, string? stateDirectory, StateMetadata? metadata)
    {
        MappedFile mapping;
        try
        {
            mapping = MappedFile.Open(snapshotPath);
        }
        catch (FileNotFoundException e)
        {
            throw new ClusterStateException(ErrorIds.SnapshotMissing, ClusterStateErrorKind.NotFound,
                $"The snapshot '{snapshotPath}' does not exist.", snapshotPath, e);
        }
        try
        {
            var bytes = mapping.Memory;
            CheckFileFrame(bytes.Span, snapshotPath);
            // The IPC file body after the 8-byte magic is a stream: schema message, then the batch.
            // ArrowStreamReader over memory makes every buffer a slice of the mapping (zero copy).
            RecordBatch? batch;
            try
            {
                using var reader = new ArrowStreamReader(bytes.Slice(8));
                batch = reader.ReadNextRecordBatch();
            }
            catch (Exception e) when (e is not ClusterStateException and not OutOfMemoryException)
            {
                throw Corrupt(snapshotPath, $"its Arrow messages cannot be read ({e.GetType().Name}: {e.Message})", e);
            }
            if (batch is null) throw Corrupt(snapshotPath, "it holds no record batch");
            return new ClusterSnapshot(stateDirectory, metadata, mapping, batch);
        }
        catch
        {
            mapping.Release();
            throw;
        }
    }

    /// <summary>The raw bytes of the snapshot file (valid while the snapshot is open).</summary>
    public ReadOnlyMemory<byte> FileBytes => _mapping.IsReleased ? throw Disposed() : _mapping.Memory;

    /// <summary>
    /// True when every buffer of the record batch lies inside the memory mapping, i.e. nothing
    /// was copied on open.
    /// </summary>
    public bool IsZeroCopy()
    {
        foreach (var array in RecordBatch.Arrays)
        {
            if (!AllBuffersMapped(array.Data)) return false;
        }
        return true;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _nodes = null;
        _tasks = null;
        _content = null;
        _mapping.Release();
    }

    /// <inheritdoc />
    public override string ToString() => $"{ClusterId} (generation {Generation}, {NodeCount} nodes, {TaskCount} tasks, {ContentCount} content)";

    private bool AllBuffersMapped(ArrayData data)
    {
        foreach (var buffer in data.Buffers)
        {
            if (!buffer.IsEmpty && !_mapping.Contains(buffer.Memory)) return false;
        }
        return data.Children is null || data.Children.All(AllBuffersMapped);
    }

    private static void CheckFileFrame(ReadOnlySpan<byte> bytes, string path)
    {
        // magic(6) + pad(2) + at least a schema message ... + footer length(4) + magic(6)
        if (bytes.Length < 8 || !bytes[..6].SequenceEqual(Magic))
            throw new ClusterStateException(ErrorIds.SnapshotCorrupt, ClusterStateErrorKind.InvalidData,
                $"'{path}' is not an Arrow IPC file (it does not start with ARROW1).", path);
        if (bytes.Length < 18 || !bytes[^6..].SequenceEqual(Magic))
            throw Corrupt(path, "it is truncated (the closing ARROW1 marker is missing)");
        int footerLength = BitConverter.ToInt32(bytes[^10..^6]);
        if (footerLength <= 0 || footerLength > bytes.Length - 18)
            throw Corrupt(path, $"its footer length {footerLength} does not fit the file");
    }

    private static int ReadVersion(IReadOnlyDictionary<string, string> schemaMetadata, RecordBatch batch)
    {
        if (schemaMetadata.TryGetValue(ClusterSchema.SchemaVersionKey, out var v) && int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int version))
            return version;
        // No version recorded (e.g. the seed's own writer): version 2 if the tasks carry started_at.
        return batch.Schema.GetFieldByName(ClusterSchema.Names.Tasks)?.DataType is Apache.Arrow.Types.ListType { ValueDataType: Apache.Arrow.Types.StructType t }
               && t.GetFieldIndex(ClusterSchema.Names.StartedAt, StringComparer.Ordinal) >= 0 ? 2 : 1;
    }

    private static string? ReadScalarString(RecordBatch batch, string name) =>
        batch.Column(name, StringComparer.Ordinal) is StringArray s && s.Length == 1 && !s.IsNull(0) ? SafeStrings.Get(s, 0) : null;

    private static ClusterStateException Corrupt(string path, string why, Exception? inner = null) =>
        new(ErrorIds.SnapshotCorrupt, ClusterStateErrorKind.InvalidData, $"The snapshot '{path}' is damaged: {why}.", path, inner);

    private ObjectDisposedException Disposed() => new(nameof(ClusterSnapshot), $"The snapshot '{SnapshotPath}' was disposed.");
}
