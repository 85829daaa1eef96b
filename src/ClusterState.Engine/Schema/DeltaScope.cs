namespace ClusterState.Schema;

/// <summary>
/// The log rows of a merged view (the latest version of every row the commit log wrote since the
/// base): their own scope, and the first row number that reads them (the base's row count).
/// </summary>
internal sealed class DeltaScope(ColumnScope scope, int split)
{
    /// <summary>Where the delta rows live (row 0 is the first delta row).</summary>
    public ColumnScope Scope { get; } = scope;

    /// <summary>Row numbers from this one on read the delta.</summary>
    public int Split { get; } = split;
}
