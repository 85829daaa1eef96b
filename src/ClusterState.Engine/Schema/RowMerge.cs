namespace ClusterState.Schema;

/// <summary>
/// How one entity's rows come out of a base and the commit log records after it (DESIGN.md §5):
/// the base rows the log hides (replaced or removed), and the log rows that show — each id's
/// latest version, replacements first in the order of the base rows they replace, then the ids
/// new to the base in the order they were first added. Storage/EntityMerge builds it.
/// </summary>
internal sealed class RowMerge(int baseCount, int[] masked, (int Record, int Row)[] delta, int[] deltaBaseRows)
{
    /// <summary>Rows of the base.</summary>
    public int BaseCount { get; } = baseCount;

    /// <summary>The base rows the log hides (replaced or removed), ascending.</summary>
    public int[] Masked { get; } = masked;

    /// <summary>The log rows that show, as (record, row in that record's entity list).</summary>
    public (int Record, int Row)[] Delta { get; } = delta;

    /// <summary>For each row of <see cref="Delta"/>, the base row it replaces (ascending), or -1 for the new rows after them.</summary>
    public int[] DeltaBaseRows { get; } = deltaBaseRows;

    /// <summary>Rows after the merge.</summary>
    public int Count => BaseCount - Masked.Length + Delta.Length;
}
