using System;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace ClusterState.Schema;

/// <summary>Finds and checks child arrays by name.</summary>
internal static class ColumnBinding
{
    /// <summary>
    /// Field names the ipfs_kit_py ArrowClusterState variant uses for the seed's fields
    /// (SPEC.md §1). They are read in place of the missing seed field, never written.
    /// </summary>
    private static readonly System.Collections.Generic.Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["cpu_load"] = "cpu_usage",
        ["disk_available"] = "disk_free",
        ["output_cid"] = "result_cid",
        ["created_at"] = "pinned_at",
    };

    public static IArrowArray? Child(StructArray parent, string name)
    {
        var type = (StructType)parent.Data.DataType;
        int index = type.GetFieldIndex(name, StringComparer.Ordinal);
        if (index < 0 && Aliases.TryGetValue(name, out var alias)) index = type.GetFieldIndex(alias, StringComparer.Ordinal);
        return index < 0 ? null : parent.Fields[index];
    }

    /// <summary>
    /// A top-level column by name, or null. (Apache.Arrow 23's <c>RecordBatch.Column(name)</c>
    /// throws ArgumentOutOfRangeException for a missing name instead of returning null.)
    /// </summary>
    public static IArrowArray? Column(RecordBatch batch, string name)
    {
        int index = batch.Schema.GetFieldIndex(name, StringComparer.Ordinal);
        return index < 0 || index >= batch.ColumnCount ? null : batch.Column(index);
    }

    public static ClusterStateException Mismatch(string field, string expected, IArrowType actual) =>
        new(ErrorIds.SchemaMismatch, ClusterStateErrorKind.InvalidData,
            $"The field '{field}' has type {actual.Name}; the cluster-state schema needs {expected}.", field);
}
