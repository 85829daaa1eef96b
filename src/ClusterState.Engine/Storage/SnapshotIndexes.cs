namespace ClusterState.Storage;

/// <summary>The shared indexes of a snapshot (built once per snapshot, shared by its handles): commits resolve ids with them, queries look ids up.</summary>
internal static class SnapshotIndexes
{
    public static Utf8KeyIndex NodeIds(ClusterSnapshot s) =>
        s.Data.GetOrAdd("index:nodes.id", d => new Utf8KeyIndex(d.Nodes.Id, d.Nodes.Count));

    public static Utf8KeyIndex TaskIds(ClusterSnapshot s) =>
        s.Data.GetOrAdd("index:tasks.id", d => new Utf8KeyIndex(d.Tasks.Id, d.Tasks.Count));

    public static Utf8KeyIndex ContentIds(ClusterSnapshot s) =>
        s.Data.GetOrAdd("index:content.cid", d => new Utf8KeyIndex(d.Content.Cid, d.Content.Count));
}
