using System;
using ClusterState.Schema;

namespace ClusterState.Storage;

/// <summary>
/// The shared indexes of a snapshot (built once per snapshot, shared by its handles): commits
/// resolve ids with them, queries look ids up. A state with a commit log indexes only its log
/// rows and asks the base's index, built once for every generation of that base, for the rest.
/// </summary>
internal static class SnapshotIndexes
{
    public static Utf8KeyIndex NodeIds(ClusterSnapshot s) => Used(s, 0, Of(s.Data, "index:nodes.id", d => d.Nodes));

    public static Utf8KeyIndex TaskIds(ClusterSnapshot s) => Used(s, 1, Of(s.Data, "index:tasks.id", d => d.Tasks));

    public static Utf8KeyIndex ContentIds(ClusterSnapshot s) => Used(s, 2, Of(s.Data, "index:content.cid", d => d.Content));

    /// <summary>Which indexes (bit 0 nodes, 1 tasks, 2 content) this process used on each state directory, whatever its base.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> UsedHere = new(StringComparer.Ordinal);

    private static Utf8KeyIndex Used(ClusterSnapshot s, int entity, Utf8KeyIndex index)
    {
        if (s.StatePath is { } path) UsedHere.AddOrUpdate(path, 1 << entity, (_, bits) => bits | 1 << entity);
        return index;
    }

    /// <summary>
    /// Builds the indexes this process used on <paramref name="s"/>'s directory before, for its
    /// current base: a committer calls it before it takes the writer lock, so the index of a new
    /// base (after a compaction: a million ids, a quarter of a second) is not built while every
    /// other writer waits. Under the lock only the log's few new ids are indexed again.
    /// </summary>
    public static void Warm(ClusterSnapshot s)
    {
        if (s.StatePath is not null) Warm(s.Data, s.StatePath);
    }

    /// <summary>Builds on <paramref name="data"/> the indexes this process used on <paramref name="directory"/> (a compaction, for its new base before the switch).</summary>
    public static void Warm(SnapshotData data, string directory)
    {
        if (!UsedHere.TryGetValue(directory, out int bits)) return;
        if ((bits & 1) != 0) Of(data, "index:nodes.id", d => d.Nodes);
        if ((bits & 2) != 0) Of(data, "index:tasks.id", d => d.Tasks);
        if ((bits & 4) != 0) Of(data, "index:content.cid", d => d.Content);
    }

    private static Utf8KeyIndex Of(SnapshotData data, string key, Func<SnapshotData, EntityColumns> entity) =>
        data.GetOrAdd(key, d =>
        {
            var c = entity(d);
            if (d.BaseData is not { } baseData || c.Merge is not { } merge) return new Utf8KeyIndex(c.Keys, c.Count);
            return Utf8KeyIndex.Overlay(Of(baseData, key, entity), c.Keys, c.BaseCount, merge.Delta.Length, merge.Masked);
        });
}
