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
/// Compaction folds records into a new base and cleanup then deletes the old log. An instance
/// keeps the logs it has seen open (<see cref="Observe"/>; at most <see cref="MaxHeldLogs"/>),
/// so the records of a log deleted since can still be read through it; what no held or present
/// log holds is reported as unknown (<see cref="ClusterStateChange.Known"/> false), never guessed.
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
    private readonly SortedDictionary<long, SafeFileHandle> _held = new(); // base generation → its log, opened while it was current
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
        if (metadata.Log is not { } name || BaseOf(name) is not long baseGeneration) return;
        lock (_gate)
        {
            if (_disposed || _held.ContainsKey(baseGeneration)) return;
            try
            {
                _held[baseGeneration] = File.OpenHandle(Path.Combine(_directory, name), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return; // compacted and removed already: its records are unknown unless another copy is found
            }
            while (_held.Count > MaxHeldLogs)
            {
                var oldest = _held.First();
                oldest.Value.Dispose();
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
            if (data.Log is { } log)
                Collect(log.Records.Take(data.AppliedRecords), baseGeneration, current, after, upTo, found);
            if (after < baseGeneration) CollectOlder(baseGeneration, after, upTo, found);
        }
        return Changes(after, upTo, replaced, found);
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
    /// Records of logs older than the current base: those this feed holds open and those still in
    /// the directory. A log's records count up to the next base (the compaction that folded them
    /// made that base of its last one); after it, its file may hold a crashed commit's leftover.
    /// </summary>
    private void CollectOlder(long currentBase, long after, long upTo, Dictionary<long, (CommitRecord, bool[][])> found)
    {
        var logs = new SortedDictionary<long, (SafeFileHandle Handle, bool Owned)>();
        lock (_gate)
        {
            foreach (var (g, handle) in _held) if (g < currentBase) logs[g] = (handle, false);
            try
            {
                foreach (var file in Directory.GetFiles(_directory, "commits_*.arrows"))
                {
                    if (BaseOf(Path.GetFileName(file)) is not long g || g >= currentBase || logs.ContainsKey(g)) continue;
                    try
                    {
                        logs[g] = (File.OpenHandle(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete), true);
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        // removed meanwhile
                    }
                }
            }
            catch (IOException)
            {
                // the directory is unreadable: only the held logs are read
            }
            try
            {
                var bases = logs.Keys.Append(currentBase).ToArray();
                for (int i = 0; i < bases.Length - 1; i++)
                {
                    long logBase = bases[i], nextBase = bases[i + 1];
                    if (nextBase <= after || logBase >= upTo) continue;
                    if (Read(logs[logBase].Handle, logBase) is { } records)
                        Collect(records, logBase, nextBase, after, upTo, found);
                }
            }
            finally
            {
                foreach (var (handle, owned) in logs.Values) if (owned) handle.Dispose();
            }
        }
    }

    /// <summary>The records of an older log, read whole through its handle; null when it is not a log of that base or is damaged before its first record.</summary>
    private IReadOnlyList<CommitRecord>? Read(SafeFileHandle handle, long baseGeneration)
    {
        string path = Path.Combine(_directory, CommitLog.FileName(baseGeneration));
        try
        {
            long length = RandomAccess.GetLength(handle);
            if (length > int.MaxValue) return null;
            var bytes = new byte[length];
            int read = RandomAccess.Read(handle, bytes, 0);
            var contents = CommitLog.Read(bytes.AsMemory(0, read), path, schema =>
            {
                if (schema.Metadata is not { } m || !m.TryGetValue(ClusterSchema.BaseGenerationKey, out var g) || g != baseGeneration.ToString(CultureInfo.InvariantCulture))
                    throw new ClusterStateException(ErrorIds.SnapshotCorrupt, ClusterStateErrorKind.InvalidData, $"The commit log '{path}' does not follow the base of generation {baseGeneration}.", path);
            });
            return contents.Records; // up to the first torn or damaged record
        }
        catch (Exception e) when (e is ClusterStateException or IOException or UnauthorizedAccessException)
        {
            return null; // its commits are reported as unknown
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
            CommittedAt = ColumnBinding.Column(record.Batch, ClusterSchema.Names.UpdatedAt) is TimestampArray { Length: 1 } at && !at.IsNull(0)
                ? at.GetTimestamp(0)!.Value.UtcDateTime : null,
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

    /// <summary>The base generation a log's file name carries (<c>commits_&lt;g&gt;.arrows</c>).</summary>
    private static long? BaseOf(string name) =>
        name.StartsWith("commits_", StringComparison.Ordinal) && name.EndsWith(".arrows", StringComparison.Ordinal)
        && long.TryParse(name.AsSpan(8, name.Length - 8 - 7), NumberStyles.None, CultureInfo.InvariantCulture, out long g) ? g : null;

    /// <summary>Closes the logs this feed holds.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (var handle in _held.Values) handle.Dispose();
            _held.Clear();
        }
    }
}
