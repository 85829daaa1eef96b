using System;
using System.IO;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using ClusterState.Schema;
using ClusterState.Storage;

namespace ClusterState;

/// <summary>
/// Writes state directories: a complete new snapshot file made durable first, then
/// <c>state_metadata.json</c> switched to it by an atomic rename (DESIGN.md §5). A reader
/// that mapped the previous snapshot keeps its consistent view.
/// </summary>
public static partial class StateStore
{
    /// <summary>Creates a state directory (or, with Force, replaces the state in it) from typed data.</summary>
    /// <returns>The metadata of the new snapshot.</returns>
    public static StateMetadata Create(string directory, StateContent content, CreateStateOptions? options = null)
    {
        options ??= new CreateStateOptions();
        if (options.SchemaVersion is < ClusterSchema.OldestReadableVersion or > ClusterSchema.CurrentVersion)
            throw new ClusterStateException(ErrorIds.InvalidArgument, ClusterStateErrorKind.InvalidArgument,
                $"Schema version {options.SchemaVersion} cannot be written; this module writes versions {ClusterSchema.OldestReadableVersion}–{ClusterSchema.CurrentVersion}.", options.SchemaVersion);
        return CreateCore(directory, options, generation =>
        {
            var builder = new StateBatchBuilder(options.SchemaVersion);
            foreach (var node in content.Nodes) builder.Add(node);
            foreach (var task in content.Tasks) builder.Add(task);
            foreach (var item in content.Content) builder.Add(item);
            var updatedAt = content.UpdatedAt ?? DateTime.UtcNow;
            using var batch = builder.Build(content.ClusterId, content.MasterId, updatedAt, generation);
            string snapshotName = SnapshotFileName(generation);
            WriteSnapshot(Path.Combine(directory, snapshotName), batch);
            return new StateMetadata(content.ClusterId, content.MasterId, options.SchemaVersion, generation, snapshotName, updatedAt);
        });
    }

    /// <summary>
    /// Creates a state directory whose first snapshot is a copy of an existing Arrow IPC file, byte
    /// for byte (fields of any writer and version kept). The file is validated by opening it first.
    /// </summary>
    public static StateMetadata CreateFromSnapshotFile(string directory, string snapshotFile, CreateStateOptions? options = null)
    {
        options ??= new CreateStateOptions();
        using var source = ClusterSnapshot.OpenFile(snapshotFile);
        source.Data.ValidateAll(); // copied byte for byte: a damaged file must not become a state
        long sourceGeneration = Math.Max(1, source.Generation);
        return CreateCore(directory, options, generation =>
        {
            // Keep the file's own generation when it is ahead, so the snapshot and the metadata agree.
            generation = Math.Max(generation, sourceGeneration);
            string snapshotName = SnapshotFileName(generation);
            AtomicFile.Write(Path.Combine(directory, snapshotName), stream => stream.Write(source.FileBytes.Span), durable: true, "snapshot");
            return new StateMetadata(source.ClusterId, source.MasterId, source.SchemaVersion, generation, snapshotName, source.UpdatedAt ?? DateTime.UtcNow);
        });
    }

    /// <summary>Directory, writer lock and generation for a new state; <paramref name="write"/> writes the snapshot and describes it.</summary>
    private static StateMetadata CreateCore(string directory, CreateStateOptions options, Func<long, StateMetadata> write)
    {
        directory = Path.GetFullPath(directory);
        bool created = !Directory.Exists(directory);
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ClusterStateException(ErrorIds.WriteFailed, ClusterStateErrorKind.WriteError,
                $"The state directory '{directory}' cannot be created: {e.Message}", directory, e);
        }
        try
        {
            return CreateLocked(directory, options, write);
        }
        catch when (created)
        {
            // A new state that could not be written (too large, a full disk) leaves no directory
            // behind that looks like a state: the lock file goes, and the directory if it is empty.
            AtomicFile.TryDelete(Path.Combine(directory, WriterLock.FileName));
            AtomicFile.TryDelete(Path.Combine(directory, LogPublisher.LockFileName));
            try
            {
                Directory.Delete(directory, recursive: false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Not empty (another writer put something there) or not ours to remove: left as it is.
            }
            throw;
        }
    }

    private static StateMetadata CreateLocked(string directory, CreateStateOptions options, Func<long, StateMetadata> write)
    {
        using var writerLock = WriterLock.Acquire(directory, options.LockTimeout);
        long generation = 1;
        StateMetadata? previous = null;
        if (File.Exists(Path.Combine(directory, StateMetadata.FileName)))
        {
            if (!options.Force)
                throw new ClusterStateException(ErrorIds.StateAlreadyExists, ClusterStateErrorKind.AlreadyExists,
                    $"'{directory}' already holds a cluster state; replacing it must be asked for.", directory);
            try
            {
                previous = Settle(directory);
                generation = StateMetadata.Next(previous.Generation, directory);
            }
            catch (ClusterStateException)
            {
                // A damaged state is being replaced on purpose; start the generations over.
            }
        }
        var metadata = write(generation);
        if (previous is not null)
        {
            // Replacing a state keeps the keys other programs (and checkpoints) put in its metadata.
            var merged = previous.Clone();
            merged.ClusterId = metadata.ClusterId;
            merged.MasterId = metadata.MasterId;
            merged.SchemaVersion = metadata.SchemaVersion;
            merged.Generation = metadata.Generation;
            merged.Snapshot = metadata.Snapshot;
            merged.UpdatedAt = metadata.UpdatedAt;
            merged.Supersede(previous);
            merged.Log = null; // a new base: the old base's log is not part of it
            merged.LogLength = 0;
            merged.BaseGeneration = null;
            metadata = merged;
        }
        // A replacement has no commit record: the metadata says which generation it made, so the
        // change feed reports it as replaced rather than as a commit it cannot see.
        if (previous is not null) metadata.ReplacedGeneration = metadata.Generation;
        Publish(directory, metadata);
        if (metadata.Generation > 1) ScheduleCleanup(directory, metadata.Generation, new CommitOptions().KeepSnapshots);
        return metadata;
    }

    /// <summary>Changes metadata keys that are not the snapshot pointer (checkpoint facts, policy) under the writer lock; the generation stays.</summary>
    internal static void UpdateMetadata(string directory, Action<StateMetadata> change)
    {
        using var writerLock = WriterLock.Acquire(directory, new CommitOptions().LockTimeout);
        Update(directory, current =>
        {
            var metadata = current.Clone();
            change(metadata);
            return metadata;
        });
    }

    /// <summary>
    /// Rewrites the metadata from what it is now, under the metadata lock (<paramref name="change"/>
    /// returns the new metadata, or null to leave it): a commit that publishes its record meanwhile
    /// (LogPublisher) can neither be undone by it nor undo it. The caller holds the writer lock.
    /// </summary>
    internal static void Update(string directory, Func<StateMetadata, StateMetadata?> change, bool durable = true)
    {
        using (LogPublisher.Lock(directory, new CommitOptions().LockTimeout))
        {
            if (change(StateMetadata.Read(directory)) is { } next) WriteMetadata(directory, next, durable);
        }
    }

    /// <summary>
    /// The metadata with every record appended to the log published (commits whose publication is
    /// still to come, LogPublisher.Settle). The caller holds the writer lock and is about to
    /// replace the base: what it writes then follows every commit made so far.
    /// </summary>
    internal static StateMetadata Settle(string directory) => LogPublisher.Settle(directory, new CommitOptions().LockTimeout);

    /// <summary>The file name of a generation's snapshot.</summary>
    internal static string SnapshotFileName(long generation) => $"snapshot_{generation:D8}.arrow";

    /// <summary>The most bytes one snapshot file may take: what one mapping of it can address (ReadOnlyMemory&lt;byte&gt;).</summary>
    internal const long MaxSnapshotBytes = int.MaxValue;

    /// <summary>Test hook: a lower limit for snapshots written inside one directory (tests cannot build 2 GiB states).</summary>
    internal static (string Directory, long Bytes)? SnapshotLimitForTests { get; set; }

    /// <summary>
    /// Writes a complete Arrow IPC file next to its final name, flushes it, then renames it into
    /// place. A batch whose file would pass <see cref="MaxSnapshotBytes"/> is refused
    /// (StateTooLarge) before anything is written: a 2.8 GB snapshot was once written and
    /// published, and no reader could open the state after it.
    /// </summary>
    internal static void WriteSnapshot(string path, RecordBatch batch, bool durable = true, Action? written = null, bool writeBehind = false)
    {
        long size = IpcSize(batch);
        long limit = SnapshotLimitForTests is { } test && path.StartsWith(test.Directory, StringComparison.Ordinal) ? test.Bytes : MaxSnapshotBytes;
        if (size > limit)
            throw new ClusterStateException(ErrorIds.StateTooLarge, ClusterStateErrorKind.InvalidArgument,
                $"The state would take about {size >> 20:N0} MiB in one snapshot file, more than the {limit >> 20:N0} MiB one snapshot can hold; nothing was written. Make the state smaller (fewer tasks or content items).", path);
        WriteSnapshotFile(path, batch, durable, written, writeBehind);
    }

    /// <summary>
    /// An upper bound of the IPC file a batch makes: every buffer as the writer pads it (64
    /// bytes), and room for the schema, the batch's metadata and the footer.
    /// </summary>
    internal static long IpcSize(RecordBatch batch)
    {
        static long Of(ArrayData data)
        {
            long size = 64; // its field node and buffer entries in the metadata
            if (data.Buffers is { } buffers) foreach (var buffer in buffers) size += (buffer.Length + 63L) / 64 * 64;
            if (data.Children is { } children) foreach (var child in children) size += Of(child);
            if (data.Dictionary is { } dictionary) size += Of(dictionary);
            return size;
        }
        long total = 64L << 10; // magic, schema message (twice: stream and footer), footer
        foreach (var column in batch.Arrays) total += Of(column.Data);
        return total;
    }

    private static void WriteSnapshotFile(string path, RecordBatch batch, bool durable, Action? written, bool writeBehind) =>
        AtomicFile.Write(path, stream =>
        {
            using var writer = new ArrowFileWriter(stream, batch.Schema, leaveOpen: true);
            writer.WriteRecordBatch(batch);
            writer.WriteEnd();
            GC.KeepAlive(batch); // native buffers must outlive the copy from spans over them (see CommitLog.Serialize)
        }, durable, "snapshot", written, writeBehind);

    /// <summary>
    /// Atomically points the directory's metadata at a new snapshot or generation, under the
    /// metadata lock (see LogPublisher for who may change what). The caller holds the writer lock
    /// and built <paramref name="metadata"/> from metadata <see cref="Settle"/>d or read under it,
    /// with a generation and log length that cover every record in the log.
    /// </summary>
    internal static void Publish(string directory, StateMetadata metadata, bool durable = true)
    {
        using (LogPublisher.Lock(directory, new CommitOptions().LockTimeout)) WriteMetadata(directory, metadata, durable);
    }

    /// <summary>Writes state_metadata.json by an atomic rename; the caller holds the metadata lock.</summary>
    internal static void WriteMetadata(string directory, StateMetadata metadata, bool durable) =>
        AtomicFile.Write(Path.Combine(directory, StateMetadata.FileName), stream =>
        {
            MetadataWriteFault?.Invoke(directory);
            metadata.WriteTo(stream);
        }, durable, "state metadata", bufferSize: 4096); // a few hundred bytes, written at every commit: no MiB buffer to allocate

    /// <summary>Test hook: called with the directory before its metadata is written; a fault thrown here stands for a full disk.</summary>
    internal static Action<string>? MetadataWriteFault { get; set; }

}
