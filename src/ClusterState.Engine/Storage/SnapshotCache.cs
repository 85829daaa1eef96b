using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;

namespace ClusterState.Storage;

/// <summary>
/// Keeps the most recent state of each state directory mapped for the life of the process, so a
/// session's commands reopen it for the cost of reading the metadata and a stat, and share the
/// indexes built on it: the base snapshot (kept across generations while commits only append to
/// its log) and the merged state of its newest generation. A new base (or a replaced file) maps
/// afresh; handles on an older state keep it alive until they are disposed. At most
/// <see cref="Capacity"/> directories are kept; the least recently opened one is dropped first.
/// </summary>
internal static class SnapshotCache
{
    public const int Capacity = 8;

    private static readonly Dictionary<string, Entry> Entries = new(StringComparer.Ordinal);
    private static long _clock;

    /// <summary>How many merged states of a base are kept: the newest, and a few before it for readers that read the metadata a moment earlier.</summary>
    private const int MergedKept = 4;

    /// <summary>A directory's cached base, and the merged states of the longest log lengths read over it.</summary>
    private sealed class Entry(string snapshotPath, SnapshotData baseData)
    {
        public string SnapshotPath { get; } = snapshotPath;
        public SnapshotData Base { get; } = baseData;

        /// <summary>
        /// Merged states over the base, newest (longest) first. More than one: threads and commands
        /// of one process read the metadata at slightly different moments, and one that asks for the
        /// generation just before the newest would otherwise find no state to read on from and read
        /// the whole log again (and, before, replaced the newer state with its older one).
        /// </summary>
        public List<(string Log, long Length, SnapshotData Data)> Merged { get; } = new();

        public long Used { get; set; }

        /// <summary>The merged state of exactly this log length, or the longest shorter one of the same log to read on from.</summary>
        public (SnapshotData? Exact, SnapshotData? Before) Find(string log, long length)
        {
            SnapshotData? before = null;
            foreach (var m in Merged)
            {
                if (m.Log != log) continue;
                if (m.Length == length) return (m.Data, null);
                if (m.Length < length && before is null) before = m.Data;
            }
            return (null, before);
        }

        /// <summary>Keeps <paramref name="data"/> (the cache's own reference) among the newest merged states.</summary>
        public void Keep(string log, long length, SnapshotData data)
        {
            if (Merged.Exists(m => m.Log == log && m.Length == length))
            {
                data.Release(); // another thread read the same generation first
                return;
            }
            Merged.Add((log, length, data));
            // Newest first; a state of an older log (a base replaced in place) sorts last and goes first.
            Merged.Sort((a, b) => (b.Log == log).CompareTo(a.Log == log) is var byLog and not 0 ? byLog : b.Length.CompareTo(a.Length));
            while (Merged.Count > MergedKept)
            {
                Merged[^1].Data.Release();
                Merged.RemoveAt(Merged.Count - 1);
            }
        }

        public void Release()
        {
            foreach (var m in Merged) m.Data.Release();
            Merged.Clear();
            Base.Release();
        }
    }

    /// <summary>
    /// Loads and merges under way, by what they make: threads that want the same base or the same
    /// generation at once wait for the first and then find its result cached, instead of each
    /// mapping, validating and merging a copy of their own (right after a compaction's switch every
    /// committer of the process read the new log's carried records, hundreds, at the same time, and
    /// on two cores the commits queued behind them waited a quarter of a second).
    /// </summary>
    private static readonly Dictionary<string, ManualResetEventSlim> Running = new(StringComparer.Ordinal);

    /// <summary>Under the lock: null when this thread now owns the work of <paramref name="key"/>, or the event to wait for.</summary>
    private static ManualResetEventSlim? Join(string key)
    {
        if (Running.TryGetValue(key, out var running)) return running;
        Running[key] = new ManualResetEventSlim();
        return null;
    }

    /// <summary>Ends the work of <paramref name="key"/> (done or failed): its waiters look again.</summary>
    private static void Leave(string key)
    {
        ManualResetEventSlim done;
        lock (Entries)
        {
            done = Running[key];
            Running.Remove(key);
        }
        done.Set();
    }

    /// <summary>The state <paramref name="metadata"/> describes; the caller owns one reference on it.</summary>
    public static SnapshotData Acquire(string snapshotPath, StateMetadata metadata)
    {
        string directory = Path.GetDirectoryName(snapshotPath) ?? "";
        while (true)
        {
            var entry = AcquireBase(directory, snapshotPath, metadata);
            if (metadata.Log is null) return entry.Base;
            ManualResetEventSlim? running = null;
            try
            {
                string logPath = Path.Combine(directory, metadata.Log);
                string key = $"merge\n{logPath}\n{metadata.LogLength}";
                SnapshotData? previous;
                lock (Entries)
                {
                    (var exact, previous) = entry.Find(logPath, metadata.LogLength);
                    if (exact is not null)
                    {
                        exact.AddReference();
                        return exact;
                    }
                    previous?.AddReference(); // held while the log is read on from it
                    // Another thread merges this generation: wait (after the finally), then find it cached.
                    // Joined last: nothing between here and the merge's finally can throw and leave it joined.
                    if ((running = Join(key)) is not null)
                    {
                        previous?.Release();
                        continue;
                    }
                }
                try
                {
                    SnapshotData merged;
                    try
                    {
                        merged = SnapshotData.WithLog(entry.Base, logPath, metadata.LogLength, previous, metadata);
                    }
                    finally
                    {
                        previous?.Release();
                    }
                    lock (Entries)
                    {
                        // The cache keeps a reference of its own; the caller gets the one WithLog made.
                        merged.AddReference();
                        entry.Keep(logPath, metadata.LogLength, merged);
                    }
                    return merged;
                }
                finally
                {
                    Leave(key);
                }
            }
            finally
            {
                entry.Base.Release(); // the merged state holds its own reference on the base
                running?.Wait();
            }
        }
    }

    /// <summary>The directory's base entry, with one reference on the base for the caller.</summary>
    private static Entry AcquireBase(string directory, string snapshotPath, StateMetadata metadata)
    {
        var stamp = FileStamp.Of(snapshotPath);
        string key = $"base\n{snapshotPath}";
        while (true)
        {
            ManualResetEventSlim? running;
            lock (Entries)
            {
                // Without a log the snapshot is the generation; with one, the log says the rest.
                if (Entries.TryGetValue(directory, out var cached) && cached.SnapshotPath == snapshotPath && cached.Base.Stamp == stamp
                    && (metadata.Log is not null || cached.Base.Generation == metadata.Generation))
                {
                    try
                    {
                        cached.Base.AddReference();
                        cached.Used = ++_clock;
                        return cached;
                    }
                    catch (ObjectDisposedException)
                    {
                        Remove(directory);
                    }
                }
                running = Join(key);
            }
            if (running is not null)
            {
                running.Wait(); // another thread maps this base: then it is cached
                continue;
            }
            try
            {
                return LoadBase(directory, snapshotPath, stamp, metadata);
            }
            finally
            {
                Leave(key);
            }
        }
    }

    /// <summary>Maps (or takes the offered) base and makes it the directory's entry, with one reference for the caller.</summary>
    private static Entry LoadBase(string directory, string snapshotPath, FileStamp stamp, StateMetadata metadata)
    {
        SnapshotData? loaded = null;
        Entry? taken = null;
        lock (Entries)
        {
            // A base this process's compaction prepared (Offer) is taken as if loaded here.
            if (Offered.TryGetValue(directory, out var offered) && offered.SnapshotPath == snapshotPath && offered.Base.Stamp == stamp)
            {
                Offered.Remove(directory);
                taken = offered;
                loaded = offered.Base;
            }
        }
        loaded ??= SnapshotData.Load(snapshotPath, metadata);
        lock (Entries)
        {
            // The cache keeps a reference of its own; the caller gets the one Load made (or, for an
            // offered base, a new one: the offer's reference is the cache's).
            loaded.AddReference();
            Remove(directory);
            var entry = taken ?? new Entry(snapshotPath, loaded);
            entry.Used = ++_clock;
            Entries[directory] = entry;
            while (Entries.Count > Capacity) Remove(Entries.MinBy(e => e.Value.Used).Key);
            return entry;
        }
    }

    /// <summary>Bases a compaction of this process wrote and prepared, by directory, until the first open after its switch takes them.</summary>
    private static readonly Dictionary<string, Entry> Offered = new(StringComparer.Ordinal);

    /// <summary>
    /// Offers <paramref name="data"/>, the mapped new base at <paramref name="snapshotPath"/> that a
    /// compaction wrote, validated and indexed before its switch, to the first open that finds the
    /// metadata naming it: the commits right after the switch then use it as it is, instead of
    /// validating hundreds of MiB and indexing a million ids while they hold the writer lock. The
    /// cache takes over the caller's reference.
    /// </summary>
    public static void Offer(string directory, string snapshotPath, SnapshotData data)
    {
        lock (Entries)
        {
            if (Offered.Remove(directory, out var older)) older.Release();
            Offered[directory] = new Entry(snapshotPath, data);
        }
    }

    /// <summary>
    /// Adds to the offered base <paramref name="baseData"/> the state <paramref name="merged"/>:
    /// the base merged with the records the compaction carried into its log
    /// (<paramref name="logPath"/>, <paramref name="length"/> bytes) before the switch, which the
    /// first read of that log goes on from (merging hundreds of carried records after the switch
    /// kept every committer of the process waiting a quarter of a second). The cache takes over
    /// the caller's reference; a base no longer on offer has it released.
    /// </summary>
    public static void OfferCarried(string directory, SnapshotData baseData, string logPath, long length, SnapshotData merged)
    {
        lock (Entries)
        {
            if (Offered.TryGetValue(directory, out var offered) && ReferenceEquals(offered.Base, baseData)) offered.Keep(logPath, length, merged);
            else merged.Release();
        }
    }

    /// <summary>Drops an offered base that was not switched to (another compaction switched first).</summary>
    public static void Withdraw(string directory, SnapshotData data)
    {
        lock (Entries)
        {
            if (Offered.TryGetValue(directory, out var offered) && ReferenceEquals(offered.Base, data))
            {
                Offered.Remove(directory);
                offered.Release();
            }
        }
    }

    /// <summary>Whether the state <paramref name="metadata"/> describes is cached merged, to open without reading its log (tests).</summary>
    internal static bool HoldsMerged(string directory, StateMetadata metadata)
    {
        lock (Entries)
        {
            return metadata.Log is { } log && Entries.TryGetValue(directory, out var entry)
                && entry.Find(Path.Combine(directory, log), metadata.LogLength).Exact is not null;
        }
    }

    /// <summary>Drops every cached mapping (handles already open stay valid).</summary>
    public static void Clear()
    {
        lock (Entries)
        {
            foreach (var directory in Entries.Keys.ToList()) Remove(directory);
            foreach (var offered in Offered.Values) offered.Release();
            Offered.Clear();
        }
    }

    private static void Remove(string directory)
    {
        if (!Entries.Remove(directory, out var entry)) return;
        entry.Release();
    }
}
