using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace ClusterState.Storage;

/// <summary>
/// Keeps the most recent snapshot of each state directory mapped for the life of the process,
/// so a session's commands reopen it for the cost of reading the metadata and a stat, and
/// share the indexes built on it. A new generation (or a replaced file) maps afresh; handles on
/// the older snapshot keep it alive until they are disposed. At most <see cref="Capacity"/>
/// directories are kept; the least recently opened one is dropped first.
/// </summary>
internal static class SnapshotCache
{
    public const int Capacity = 8;

    private static readonly Dictionary<string, (SnapshotData Data, long Used)> Entries = new(StringComparer.Ordinal);
    private static long _clock;

    public static SnapshotData Acquire(string snapshotPath, StateMetadata metadata)
    {
        var stamp = FileStamp.Of(snapshotPath);
        lock (Entries)
        {
            if (Entries.TryGetValue(snapshotPath, out var cached) && cached.Data.Stamp == stamp && cached.Data.Generation == metadata.Generation)
            {
                try
                {
                    cached.Data.Mapping.AddReference();
                    Entries[snapshotPath] = (cached.Data, ++_clock);
                    return cached.Data;
                }
                catch (ObjectDisposedException)
                {
                    Entries.Remove(snapshotPath);
                }
            }
        }
        var loaded = SnapshotData.Load(snapshotPath, metadata);
        lock (Entries)
        {
            // The cache keeps a reference of its own; the caller gets the one Load made.
            loaded.Mapping.AddReference();
            RemoveWhere(path => string.Equals(Path.GetDirectoryName(path), Path.GetDirectoryName(snapshotPath), StringComparison.Ordinal));
            Entries[snapshotPath] = (loaded, ++_clock);
            while (Entries.Count > Capacity)
            {
                string oldest = Entries.MinBy(e => e.Value.Used).Key;
                RemoveWhere(path => path == oldest);
            }
        }
        return loaded;
    }

    /// <summary>Drops every cached mapping (handles already open stay valid).</summary>
    public static void Clear()
    {
        lock (Entries) RemoveWhere(_ => true);
    }

    private static void RemoveWhere(Func<string, bool> match)
    {
        foreach (var path in Entries.Keys.Where(match).ToList())
        {
            Entries[path].Data.Mapping.Release();
            Entries.Remove(path);
        }
    }
}
