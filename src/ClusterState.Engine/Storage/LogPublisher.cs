using System;
using System.IO;
using Microsoft.Win32.SafeHandles;

namespace ClusterState.Storage;

/// <summary>
/// Publishes commit records after the writer lock is released (group commit, DESIGN.md §5).
/// Measured with eight writer processes, the metadata switch (a new file and a rename, which on
/// ext4 waits for the journal while other writers flush) was half of the time a commit held the
/// writer lock. So a commit appends its record under the writer lock and leaves; the flush and
/// the switch happen under a second lock, <c>metadata.lock</c>, by whichever writer gets there
/// first: it flushes the log and publishes every good record appended so far, its own and those of
/// writers queued behind it, who then find theirs published and return.
/// <para>
/// The rule that keeps the metadata true: <c>generation</c>, <c>updated_at</c> and
/// <c>log_length</c> move only forward, under the metadata lock; every other key changes only
/// under the writer lock, from metadata that <see cref="Settle"/> brought up to date or read
/// under the metadata lock (<see cref="StateStore.Update"/>). Lock order: writer, then metadata.
/// A writer that holds the writer lock reads records appended beyond the published length as
/// part of the state (ClusterSnapshot.OpenToWrite): its record follows them.
/// </para>
/// </summary>
internal static class LogPublisher
{
    /// <summary>The lock that serialises writes of <c>state_metadata.json</c>.</summary>
    public const string LockFileName = "metadata.lock";

    /// <summary>
    /// Makes <paramref name="record"/> durable and visible, or reports that it could not be: a
    /// record whose metadata switch fails is removed again (with every record appended after it,
    /// whose writers find theirs gone and fail too), so a failed commit is never seen.
    /// </summary>
    public static void Publish(AppendedRecord record, TimeSpan lockTimeout)
    {
        try
        {
            Locked(record.Directory, lockTimeout, () =>
            {
                // First of all the record must still be where it was written: the failed switch of
                // a commit before it cuts it off, and the bytes there may be a later writer's by now.
                // (A log a switch superseded is kept until the next base, and never written again.)
                if (!StillThere(Path.Combine(record.Directory, record.LogName), record))
                    throw new ClusterStateException(ErrorIds.WriteFailed, ClusterStateErrorKind.WriteError,
                        $"The commit was not written: its record in '{record.LogName}' was removed after the metadata switch of a commit before it failed.", record.Directory);
                var current = StateMetadata.Read(record.Directory);
                // The base was switched since the append: the switch read the log to its end
                // under the writer lock and carried this record (Settle, LogCompactor).
                if (current.Log != record.LogName) return false;
                if (current.LogLength >= record.End) return false; // published by a writer behind it (who flushed it)
                return PublishTail(record.Directory, current, record.LogHeader, record) is not null;
            });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ClusterStateException { ErrorId: ErrorIds.WriteFailed })
        {
            if (Withdraw(record, lockTimeout)) return;
            if (e is ClusterStateException) throw;
            throw new ClusterStateException(ErrorIds.WriteFailed, ClusterStateErrorKind.WriteError,
                $"The commit was not written: its record in '{record.LogName}' could not be made durable and published ({e.Message}).", record.Directory, e);
        }
    }

    /// <summary>
    /// Publishes the records appended beyond the published length (a commit whose publication is
    /// still to come, or was cut off by a crash) and returns the metadata as it then is. The
    /// caller holds the writer lock and is about to change the base or the keys others than
    /// the generation's: a replacement or compaction then follows every acknowledged commit.
    /// </summary>
    public static StateMetadata Settle(string directory, TimeSpan lockTimeout)
    {
        using (Lock(directory, lockTimeout))
        {
            var current = StateMetadata.Read(directory);
            if (current.Log is not { } name || current.LogLength == 0) return current;
            string path = Path.Combine(directory, name);
            if (!File.Exists(path) || new FileInfo(path).Length <= current.LogLength) return current;
            return PublishTail(directory, current, CommitLog.ReadHeader(path), null) ?? current;
        }
    }

    /// <summary>
    /// Under the metadata lock: flushes the log and publishes its good records up to its end.
    /// With <paramref name="own"/> (which the caller found in place), only the records after it
    /// are decoded (often none: the writer's own generation and time are known). Null when
    /// there was nothing to publish. The flush is made here, under the lock, by design: measured
    /// with eight writer processes, flushes made by each writer before taking the lock cost a
    /// quarter of the throughput (more journal commits on ext4, which the appends then wait for).
    /// </summary>
    private static StateMetadata? PublishTail(string directory, StateMetadata current, ReadOnlyMemory<byte> header, AppendedRecord? own)
    {
        string path = Path.Combine(directory, current.Log!);
        long from = current.LogLength;
        using SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        long length = RandomAccess.GetLength(file);
        long scanFrom = from;
        if (own is not null)
        {
            if (own.Offset < from)
                throw new InvalidOperationException($"The published length of '{path}' ({from}) lies inside a record at {own.Offset} that is not published.");
            scanFrom = own.End; // checked by the caller: its bytes are there
        }
        long generation = own?.Generation ?? 0, end = scanFrom;
        DateTime updatedAt = own?.CommittedAt ?? default;
        if (length > scanFrom)
        {
            // Records appended after this writer's (by writers queued behind it), or the whole
            // unpublished tail: a few records. The log as a whole is bounded by int.MaxValue,
            // which its readers need, and by the compaction threshold.
            if (length - scanFrom > int.MaxValue - header.Length)
                throw new ClusterStateException(ErrorIds.SnapshotCorrupt, ClusterStateErrorKind.InvalidData,
                    $"The commit log '{path}' holds {length - scanFrom} unpublished bytes, more than a log can.", path);
            var bytes = new byte[length - scanFrom];
            int read = RandomAccess.Read(file, bytes, scanFrom);
            var (records, recordBytes, _) = CommitLog.ReadTail(header, bytes.AsMemory(0, read), path);
            if (records.Count > 0)
            {
                var last = records[^1];
                generation = last.Generation;
                updatedAt = last.UpdatedAt ?? DateTime.UtcNow;
                end = scanFrom + recordBytes;
            }
        }
        if (end == from) return null; // a torn tail only
        // A durable writer's record is flushed before anyone can read it; so is every record a
        // writer publishes besides its own (their writers may have asked for durability).
        if (own is null || own.Durable || from < own.Offset || end > own.End) NativeMethods.DataSync(file, path);
        var next = current.Clone();
        next.Generation = generation;
        next.UpdatedAt = updatedAt;
        next.LogLength = end;
        StateStore.WriteMetadata(directory, next, durable: false);
        return next;
    }

    /// <summary>
    /// After a failed switch: true when the record was published after all (by a writer after
    /// it), else it is cut off the log with whatever follows it — with the writer lock held, so
    /// nothing is appended meanwhile — and false. Records before it stay for their own writers
    /// to publish. A record already gone (cut by the failure of one before it) cuts nothing: the
    /// bytes at its place may be a later writer's by now.
    /// </summary>
    private static bool Withdraw(AppendedRecord record, TimeSpan lockTimeout)
    {
        using (WriterLock.Acquire(record.Directory, lockTimeout))
        using (Lock(record.Directory, lockTimeout))
        {
            string path = Path.Combine(record.Directory, record.LogName);
            if (!StillThere(path, record)) return false;
            var current = StateMetadata.Read(record.Directory);
            if (current.Log != record.LogName || current.LogLength >= record.End) return true;
            if (record.Offset >= current.LogLength) CommitLog.Cut(path, record.Offset);
            return false;
        }
    }

    /// <summary>
    /// Whether the log still holds <paramref name="record"/>'s bytes where they were written. A
    /// log that is gone was superseded twice over (a later base's cleanup removed it): its records
    /// were carried by the switch that superseded it.
    /// </summary>
    private static bool StillThere(string path, AppendedRecord record)
    {
        SafeFileHandle file;
        try
        {
            file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (FileNotFoundException)
        {
            return true;
        }
        using (file)
        {
            var written = new byte[record.Bytes.Length];
            return RandomAccess.Read(file, written, record.Offset) == written.Length && written.AsSpan().SequenceEqual(record.Bytes);
        }
    }

    /// <summary>
    /// Runs <paramref name="body"/> under the metadata lock: at once when it is free, else where
    /// the lock is handed over (WriterLock.Run) — a publisher that waited usually finds its record
    /// published and returns.
    /// </summary>
    private static T Locked<T>(string directory, TimeSpan timeout, Func<T> body)
    {
        if (WriterLock.TryAcquire(directory, LockFileName) is { } held)
        {
            using (held) return body();
        }
        return WriterLock.Run(directory, timeout, body, LockFileName);
    }

    /// <summary>
    /// Takes the metadata lock: at once when it is free (it is held for a flush and a rename, and
    /// a writer that finds it taken usually finds its record published when it gets it).
    /// </summary>
    public static IDisposable Lock(string directory, TimeSpan timeout) =>
        WriterLock.TryAcquire(directory, LockFileName) ?? WriterLock.Acquire(directory, timeout, LockFileName);
}
