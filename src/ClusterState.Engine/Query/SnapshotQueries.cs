using ClusterState.Query;

namespace ClusterState;

/// <summary>Query entry points on a snapshot: filters evaluated on its columns (DESIGN.md §6).</summary>
public static class SnapshotQueries
{
    /// <summary>Runs a node query on the columns.</summary>
    public static QueryResult<ClusterNode> FindNodes(this ClusterSnapshot snapshot, NodeQuery query) => Filters.Nodes(snapshot, query);

    /// <summary>Runs a task query on the columns.</summary>
    public static QueryResult<ClusterTask> FindTasks(this ClusterSnapshot snapshot, TaskQuery query) => Filters.Tasks(snapshot, query);

    /// <summary>Runs a content query on the columns.</summary>
    public static QueryResult<ClusterContent> FindContent(this ClusterSnapshot snapshot, ContentQuery query) => Filters.Content(snapshot, query);
}
