using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Apache.Arrow;
using ClusterState.Schema;
using ClusterState.Storage;
using Microsoft.Win32.SafeHandles;

namespace ClusterState;

/// <summary>
/// What each commit did, read from the commit log (DESIGN.md §5): a record holds the complete new
/// version of every row the commit wrote and the ids it removed, so a watcher gets the changed
/// objects themselves without a file of its own (the <c>changes.json</c> of the earlier layout).
/// A record says which rows it wrote, not whether each was new: that is decided by walking its log
/// from the start (an id the log touched before is known; one it did not is in the base exactly
/// when the record's base-row hint names a row).
/// <para>
/// Compaction folds records into a new base and cleanup later deletes the old log (it keeps the
/// one the metadata names as <c>previous_log</c> until the next base). An instance keeps the logs
/// it has seen open (<see cref="Observe"/>; at most <see cref="MaxHeldLogs"/>), so the records of
/// a log deleted since can still be read through it. An old log is read only up to the last
/// generation it is known to have published (<c>previous_log_end</c>, or the newest generation
/// seen while it was current): after that its file may hold a crashed commit's record that was
/// never published. What no log holds is reported as unknown
/// (<see cref="ClusterStateChange.Known"/> false), never guessed.
/// </para>
/// </summary>
public sealed class ChangeFeed : IDisposable
{
    /// <summary>Most generations one <see cref="Between"/> lists (the newest of its range).</summary>
    public const int MaxRange = 1_024;

    /// <summary>How many logs an instance keeps open: each covers the commits between two compactions.</summary>
    public const int MaxHeldLogs = 8;

    private readonly string _directory;
    private readonly object _gate = new();
    private readonly SortedDictionary<long, HeldLog> _held = new(); // base generation → its log, opened while it was current

    /// <summary>
    /// A log this feed opened, and the last generation it is known to have published: the
    /// newest seen while it was current, or exactly its end once the metadata named it as the
    /// previous log. Records after that are not read (they may be a crashed commit's leftover).
    /// </summary>
    private sealed class HeldLog(SafeFileHandle handle, long end)
    {
        public SafeFileHandle Handle { get; } = handle;
        public long End { get; set; } = end;
    }
    private bool _disposed;

    /// <summary>A feed of the state in <paramref name="statePath"/>.</summary>
    public ChangeFeed(string statePath) => _directory = Path.GetFullPath(statePath);

    /// <summary>
    /// Opens the state's current log if this feed does not hold it yet, so its records stay
    /// readable after a compaction deletes it. Watchers call it when they start and at every
    /// generation they see; best effort (a log deleted before it could be opened is not held).
    /// </summary>
    public void Observe()
    {
        StateMetadata metadata;
        try
        {
            metadata = StateMetadata.Read(_directory);
        }
        catch (Exception e) when (e is ClusterStateException or IOException or UnauthorizedAccessException)
        {
            return;
        }
        lock (_gate)
        {
            if (_disposed) return;
            if (metadata.PreviousLog is { } previous && CommitLog.BaseOf(previous) is long previousBase && metadata.PreviousLogEnd is long end
                && _held.TryGetValue(previousBase, out var superseded))
                superseded.End = end;
            if (metadata.Log is not { } name || CommitLog.BaseOf(name) is not long baseGeneration) return;
            if (_held.TryGetValue(baseGeneration, out var held))
            {
                held.End = Math.Max(held.End, metadata.Generation);
                return;
            }
            try
            {
                _held[baseGeneration] = new HeldLog(File.OpenHandle(Path.Combine(_directory, name), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete), metadata.Generation);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return; // compacted and removed already: its records are unknown unless another copy is found
            }
            while (_held.Count > MaxHeldLogs)
            {
                var oldest = _held.First();
                oldest.Value.Handle.Dispose();
                _held.Remove(oldest.Key);
            }
        }
    }

    /// <summary>
    /// The commits that made generations (<paramref name="after"/>, <paramref name="upTo"/>],
    /// oldest first. The range ends at the current generation whatever the caller asks, and only
    /// its newest <see cref="MaxRange"/> generations are listed. Each change's objects are read from
    /// its record when the change is enumerated (a caller that stops early reads no more).
    /// </summary>
    public IEnumerable<ClusterStateChange> Between(long after, long upTo)
    {
        Observe();
        var found = new Dictionary<long, (CommitRecord Record, bool[][] Added)>();
        long current, replaced;
        using (var snapshot = ClusterSnapshot.Open(_directory))
        {
            current = snapshot.Generation;
            replaced = snapshot.Metadata?.ReplacedGeneration ?? -1;
            upTo = Math.Min(upTo, current);
            after = Math.Max(Math.Max(after, 0), upTo - MaxRange);
            if (upTo <= after) return System.Array.Empty<ClusterStateChange>();
            var data = snapshot.Data;
            long baseGeneration = data.BaseData?.Generation ?? data.Generation;
            // The log itself, from its first record: the snapshot may have read a summary in place
            // of the records before it (LogSummary), which says nothing about single commits.
            if (data.BaseData is not null && snapshot.Metadata is { Log: { } name } metadata && CommitLog.BaseOf(name) == baseGeneration
                && ReadCurrent(baseGeneration, Path.Combine(_directory, name), metadata.LogLength) is { } records)
                Collect(records, baseGeneration, current, after, upTo, found);
            if (after < baseGeneration) CollectOlder(snapshot.Metadata, baseGeneration, after, upTo, found);
            Prune(baseGeneration, snapshot.Metadata?.PreviousLog is { } p ? CommitLog.BaseOf(p) : null);
        }
        return Changes(after, upTo, replaced, found);
    }

    /// <summary>
    /// Decoded logs by base generation, so a watcher decodes each record once: a log only grows
    /// while it is current (the bytes up to its published length never change) and is frozen
    /// once a new base supersedes it; a file of another identity (rewritten) is read again.
    /// </summary>
    private readonly Dictionary<long, (object Identity, LogContents Contents)> _decoded = new();

    /// <summary>The current log's records up to its published length, decoding only what is new since the last call.</summary>
    private AppendOnlyList<CommitRecord>? ReadCurrent(long baseGeneration, string path, long publishedLength)
    {
        var stat = NativeMethods.TryStat(path);
        object identity = stat is { } st ? (st.Device, st.Inode) : path;
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            lock (_gate) return Decode(baseGeneration, handle, path, identity, Math.Min(publishedLength, RandomAccess.GetLength(handle)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // compacted and removed meanwhile: the next call reads the new base's log
        }
    }

    /// <summary>Records of <paramref name="length"/> bytes of a log, from the cache and its new tail (the caller holds the gate).</summary>
    private AppendOnlyList<CommitRecord>? Decode(long baseGeneration, SafeFileHandle handle, string path, object identity, long length)
    {
        if (length > int.MaxValue) return null;
        try
        {
            if (_decoded.TryGetValue(baseGeneration, out var known) && known.Identity.Equals(identity) && known.Contents.Damage is null && known.Contents.Length <= length)
            {
                if (known.Contents.Length == length) return known.Contents.Records;
                var tail = new byte[length - known.Contents.Length];
                int got = RandomAccess.Read(handle, tail, known.Contents.Length);
                var more = CommitLog.ReadMore(known.Contents, tail.AsMemory(0, got), path);
                _decoded[baseGeneration] = (identity, more);
                return more.Records;
            }
            var bytes = new byte[length];
            int read = RandomAccess.Read(handle, bytes, 0);
            var contents = CommitLog.Read(bytes.AsMemory(0, read), path, schema =>
            {
                if (schema.Metadata is not { } m || !m.TryGetValue(ClusterSchema.BaseGenerationKey, out var g) || g != baseGeneration.ToString(CultureInfo.InvariantCulture))
                    throw new ClusterStateException(ErrorIds.SnapshotCorrupt, ClusterStateErrorKind.InvalidData, $"The commit log '{path}' does not follow the base of generation {baseGeneration}.", path);
            });
            _decoded[baseGeneration] = (identity, contents);
            return contents.Records; // up to the first torn or damaged record
        }
        catch (Exception e) when (e is ClusterStateException or IOException or UnauthorizedAccessException)
        {
            _decoded.Remove(baseGeneration);
            return null; // its commits are reported as unknown
        }
    }

    /// <summary>Forgets decoded logs no longer current, previous or held.</summary>
    private void Prune(long currentBase, long? previousBase)
    {
        lock (_gate)
        {
            foreach (var b in _decoded.Keys.Where(b => b != currentBase && b != previousBase && !_held.ContainsKey(b)).ToList()) _decoded.Remove(b);
        }
    }

    private IEnumerable<ClusterStateChange> Changes(long after, long upTo, long replaced, Dictionary<long, (CommitRecord Record, bool[][] Added)> found)
    {
        for (long generation = after + 1; generation <= upTo; generation++)
        {
            // The replacement's own generation first: a record of that number can only be a
            // crashed commit's leftover in an older log (the replacement took its number).
            if (generation == replaced) yield return new ClusterStateChange { Generation = generation, Replaced = true, StatePath = _directory };
            else if (found.TryGetValue(generation, out var entry)) yield return Change(entry.Record, entry.Added);
            else yield return new ClusterStateChange { Generation = generation, Known = false, StatePath = _directory };
        }
    }

    /// <summary>
    /// Records of logs older than the current base: those this feed holds open, and the previous
    /// log the metadata names if it still is in the directory. Each is read only up to the last
    /// generation it is known to have published; a log in the directory the metadata does not
    /// vouch for is not read (its end is unknown).
    /// </summary>
    private void CollectOlder(StateMetadata? metadata, long currentBase, long after, long upTo, Dictionary<long, (CommitRecord, bool[][])> found)
    {
        lock (_gate)
        {
            var logs = _held.Where(h => h.Key < currentBase).Select(h => (Base: h.Key, h.Value.Handle, h.Value.End, Owned: false)).ToList();
            if (metadata?.PreviousLog is { } previous && CommitLog.BaseOf(previous) is long previousBase && previousBase < currentBase
                && metadata.PreviousLogEnd is long previousEnd)
            {
                int at = logs.FindIndex(l => l.Base == previousBase);
                if (at >= 0) logs[at] = logs[at] with { End = previousEnd };
                else
                {
                    try
                    {
                        logs.Add((previousBase, File.OpenHandle(Path.Combine(_directory, previous), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete), previousEnd, true));
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        // removed meanwhile: its commits are unknown
                    }
                }
            }
            try
            {
                foreach (var log in logs)
                {
                    if (log.End <= after || log.Base >= upTo) continue;
                    // A superseded log is frozen: the cache keyed on the handle's log serves every later call.
                    long length;
                    try
                    {
                        length = RandomAccess.GetLength(log.Handle);
                    }
                    catch (IOException)
                    {
                        continue;
                    }
                    if (Decode(log.Base, log.Handle, Path.Combine(_directory, CommitLog.FileName(log.Base)), log.Owned && NativeMethods.TryStat(Path.Combine(_directory, CommitLog.FileName(log.Base))) is { } st ? (st.Device, st.Inode) : log.Handle, length) is { } records)
                        Collect(records, log.Base, Math.Min(log.End, currentBase), after, upTo, found);
                }
            }
            finally
            {
                foreach (var log in logs) if (log.Owned) log.Handle.Dispose();
            }
        }
    }

    /// <summary>
    /// Classifies the records of one log, from its first, and keeps those of (<paramref name="after"/>,
    /// <paramref name="upTo"/>] up to <paramref name="last"/>. Record i of a log must make
    /// generation base + 1 + i; reading stops at one that does not.
    /// </summary>
    private static void Collect(IEnumerable<CommitRecord> records, long logBase, long last, long after, long upTo, Dictionary<long, (CommitRecord, bool[][])> found)
    {
        var present = new[] { new Dictionary<string, bool>(StringComparer.Ordinal), new Dictionary<string, bool>(StringComparer.Ordinal), new Dictionary<string, bool>(StringComparer.Ordinal) };
        long expected = logBase + 1;
        foreach (var record in records)
        {
            if (record.Generation != expected++ || record.Generation > last || record.Generation > upTo) break;
            var added = new bool[3][];
            for (int k = 0; k < 3; k++)
            {
                // The merge rule's order: removals first, then the rows written.
                foreach (var id in record.Removed(k)) present[k][id] = false;
                var rows = record.Rows(k);
                var hints = record.RowHints(k);
                added[k] = new bool[rows.Count];
                for (int row = 0; row < rows.Count; row++)
                {
                    string id = rows.Keys.Get(row) ?? "";
                    added[k][row] = !(present[k].TryGetValue(id, out bool before) ? before : hints[row] >= 0);
                    present[k][id] = true;
                }
            }
            if (record.Generation > after) found.TryAdd(record.Generation, (record, added));
        }
    }

    /// <summary>The change a record describes: counts and every id, and the objects it wrote.</summary>
    private ClusterStateChange Change(CommitRecord record, bool[][] added)
    {
        var nodes = (NodeColumns)record.Rows(0);
        var tasks = (TaskColumns)record.Rows(1);
        var content = (ContentColumns)record.Rows(2);
        return new ClusterStateChange
        {
            Generation = record.Generation,
            CommittedAt = record.UpdatedAt,
            Nodes = Entity(record, 0, added[0]),
            Tasks = Entity(record, 1, added[1]),
            Content = Entity(record, 2, added[2]),
            ChangedNodes = Enumerable.Range(0, nodes.Count).Select(nodes.Read).ToArray(),
            ChangedTasks = Enumerable.Range(0, tasks.Count).Select(tasks.Read).ToArray(),
            ChangedContent = Enumerable.Range(0, content.Count).Select(content.Read).ToArray(),
            StatePath = _directory,
        };
    }

    private static EntityChange Entity(CommitRecord record, int k, bool[] added)
    {
        var rows = record.Rows(k);
        var ids = Enumerable.Range(0, rows.Count).Select(row => rows.Keys.Get(row) ?? "").ToArray();
        var removed = record.Removed(k);
        return new EntityChange
        {
            Added = added.Count(a => a),
            Updated = added.Count(a => !a),
            Removed = removed.Length,
            AddedIds = ids.Where((_, i) => added[i]).ToArray(),
            UpdatedIds = ids.Where((_, i) => !added[i]).ToArray(),
            RemovedIds = removed.ToArray(),
        };
    }

    /// <summary>Closes the logs this feed holds.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var held in _held.Values) held.Handle.Dispose();
            _held.Clear();
        }
    }
}
