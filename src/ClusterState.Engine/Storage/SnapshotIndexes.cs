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
    public static Utf8KeyIndex NodeIds(ClusterSnapshot s) => Of(s.Data, "index:nodes.id", d => d.Nodes);

    public static Utf8KeyIndex TaskIds(ClusterSnapshot s) => Of(s.Data, "index:tasks.id", d => d.Tasks);

    public static Utf8KeyIndex ContentIds(ClusterSnapshot s) => Of(s.Data, "index:content.cid", d => d.Content);

    private static Utf8KeyIndex Of(SnapshotData data, string key, Func<SnapshotData, EntityColumns> entity) =>
        data.GetOrAdd(key, d =>
        {
            var c = entity(d);
            if (d.BaseData is not { } baseData || c.Merge is not { } merge) return new Utf8KeyIndex(c.Keys, c.Count);
            return Utf8KeyIndex.Overlay(Of(baseData, key, entity), c.Keys, c.BaseCount, merge.Delta.Length, merge.Masked);
        });
}
