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
    public static Utf8KeyIndex NodeIds(ClusterSnapshot s) => For(s, 0);

    public static Utf8KeyIndex TaskIds(ClusterSnapshot s) => For(s, 1);

    public static Utf8KeyIndex ContentIds(ClusterSnapshot s) => For(s, 2);

    /// <summary>The id index of entity <paramref name="entity"/> (0 nodes, 1 tasks, 2 content, as in the log).</summary>
    public static Utf8KeyIndex For(ClusterSnapshot s, int entity)
    {
        Expect(s, entity);
        return Of(s.Data, entity);
    }

    /// <summary>
    /// The id index of entity <paramref name="entity"/> for one use that says nothing about what
    /// this process's commits need (a compaction carrying records needs all three): not noted as
    /// used here, so the committers' <see cref="Warm(ClusterSnapshot)"/> does not start building an
    /// index they never use (a million CIDs: a third of a second, while a compaction of lower
    /// priority built the same index and every committer of the process waited for it).
    /// </summary>
    public static Utf8KeyIndex ForOneUse(ClusterSnapshot s, int entity) => Of(s.Data, entity);

    /// <summary>Whether entity <paramref name="entity"/>'s index of <paramref name="s"/>'s base is built (then every generation of the base indexes only its log's ids).</summary>
    public static bool Built(ClusterSnapshot s, int entity) => (s.Data.BaseData ?? s.Data).Holds(Keys[entity]);

    private static readonly string[] Keys = { "index:nodes.id", "index:tasks.id", "index:content.cid" };

    /// <summary>
    /// Notes that this process will want entity <paramref name="entity"/>'s index on
    /// <paramref name="s"/>'s directory, without building it: a first commit finds its few ids
    /// by a scan, and its next one then builds the index in <see cref="Warm(ClusterSnapshot)"/>,
    /// before the writer lock (built under the lock, a million ids held every other writer a
    /// quarter of a second, once per writer process).
    /// </summary>
    public static void Expect(ClusterSnapshot s, int entity)
    {
        if (s.StatePath is { } path) UsedHere.AddOrUpdate(path, 1 << entity, (_, bits) => bits | 1 << entity);
    }

    /// <summary>Which indexes (bit 0 nodes, 1 tasks, 2 content) this process used on each state directory, whatever its base.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> UsedHere = new(StringComparer.Ordinal);

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
        for (int entity = 0; entity < Keys.Length; entity++)
            if ((bits & 1 << entity) != 0) Of(data, entity);
    }

    private static Utf8KeyIndex Of(SnapshotData data, int entity) =>
        data.GetOrAdd(Keys[entity], d =>
        {
            EntityColumns c = entity switch { 0 => d.Nodes, 1 => d.Tasks, _ => d.Content };
            if (d.BaseData is not { } baseData || c.Merge is not { } merge) return new Utf8KeyIndex(c.Keys, c.Count);
            return Utf8KeyIndex.Overlay(Of(baseData, entity), c.Keys, c.BaseCount, merge);
        });
}
