using System;
using Apache.Arrow;

namespace ClusterState.Storage;

/// <summary>
/// What one commit record holds for one entity (nodes, tasks or content): the complete new
/// version of every row it added or changed, the ids it removed, and for both the base row each
/// one replaces or removes (-1 when the id is not a row of the base). The hints let a reader merge
/// a record without an index of the base; they are checked against the base's key before use.
/// </summary>
internal sealed class RecordEntity(StructArray rows, int[] baseRows, string[] removed, int[] removedBaseRows)
{
    /// <summary>The rows written, in the entity's struct type.</summary>
    public StructArray Rows { get; } = rows;

    /// <summary>For each row in <see cref="Rows"/>, the base row it replaces, or -1.</summary>
    public int[] BaseRows { get; } = baseRows;

    /// <summary>The keys removed.</summary>
    public string[] Removed { get; } = removed;

    /// <summary>For each removed key, its base row, or -1.</summary>
    public int[] RemovedBaseRows { get; } = removedBaseRows;

    /// <summary>An entity the record does not touch.</summary>
    public static RecordEntity Empty(StructArray noRows) => new(noRows, System.Array.Empty<int>(), System.Array.Empty<string>(), System.Array.Empty<int>());
}
