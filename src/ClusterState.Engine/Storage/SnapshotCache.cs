using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

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

    /// <summary>A directory's cached base, and the merged state of one log length over it.</summary>
    private sealed class Entry(string snapshotPath, SnapshotData baseData)
    {
        public string SnapshotPath { get; } = snapshotPath;
        public SnapshotData Base { get; } = baseData;
        public (string Log, long Length, SnapshotData Data)? Merged { get; set; }
        public long Used { get; set; }

        public void Release()
        {
            Merged?.Data.Release();
            Base.Release();
        }
    }

    /// <summary>The state <paramref name="metadata"/> describes; the caller owns one reference on it.</summary>
    public static SnapshotData Acquire(string snapshotPath, StateMetadata metadata)
    {
        string directory = Path.GetDirectoryName(snapshotPath) ?? "";
        var entry = AcquireBase(directory, snapshotPath, metadata);
        if (metadata.Log is null) return entry.Base;
        try
        {
            string logPath = Path.Combine(directory, metadata.Log);
            lock (Entries)
            {
                if (entry.Merged is { } m && m.Log == logPath && m.Length == metadata.LogLength)
                {
                    m.Data.AddReference();
                    return m.Data;
                }
            }
            SnapshotData? previous;
            lock (Entries) previous = entry.Merged?.Data;
            var merged = SnapshotData.WithLog(entry.Base, logPath, metadata.LogLength, previous, metadata);
            lock (Entries)
            {
                // The cache keeps a reference of its own; the caller gets the one WithLog made.
                merged.AddReference();
                entry.Merged?.Data.Release();
                entry.Merged = (logPath, metadata.LogLength, merged);
            }
            return merged;
        }
        finally
        {
            entry.Base.Release(); // the merged state holds its own reference on the base
        }
    }

    /// <summary>The directory's base entry, with one reference on the base for the caller.</summary>
    private static Entry AcquireBase(string directory, string snapshotPath, StateMetadata metadata)
    {
        var stamp = FileStamp.Of(snapshotPath);
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
        }
        var loaded = SnapshotData.Load(snapshotPath, metadata);
        lock (Entries)
        {
            // The cache keeps a reference of its own; the caller gets the one Load made.
            loaded.AddReference();
            Remove(directory);
            var entry = new Entry(snapshotPath, loaded) { Used = ++_clock };
            Entries[directory] = entry;
            while (Entries.Count > Capacity) Remove(Entries.MinBy(e => e.Value.Used).Key);
            return entry;
        }
    }

    /// <summary>Drops every cached mapping (handles already open stay valid).</summary>
    public static void Clear()
    {
        lock (Entries)
        {
            foreach (var directory in Entries.Keys.ToList()) Remove(directory);
        }
    }

    private static void Remove(string directory)
    {
        if (!Entries.Remove(directory, out var entry)) return;
        entry.Release();
    }
}
