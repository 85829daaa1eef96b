using ClusterState.Analysis;
using ClusterState.Query;

namespace ClusterState;

/// <summary>Computed views of a snapshot (SPEC.md §3), all evaluated on the columns.</summary>
public static class ClusterAnalysis
{
    /// <summary>The status summary.</summary>
    public static ClusterStatus GetStatus(ClusterSnapshot snapshot) => StatusSummary.Compute(snapshot);

    /// <summary>The availability map of the content selected by <paramref name="query"/>.</summary>
    public static QueryResult<ContentMapEntry> GetContentMap(ClusterSnapshot snapshot, ContentQuery query)
    {
        var selected = Filters.Content(snapshot.Content, query);
        var columns = snapshot.Content;
        return new QueryResult<ContentMapEntry>((int[])selected.Rows, selected.MissingIds, row => ContentAvailability.Entry(columns, row));
    }
}
