namespace ClusterState.Persistence;

/// <summary>The two Parquet layouts of a state.</summary>
internal enum ParquetShape
{
    /// <summary>The state schema: one row whose nodes, tasks and content are lists of structs (checkpoints).</summary>
    Nested,
    /// <summary>One file per entity, one row per item, resources as plain columns (analytics export).</summary>
    Flat,
}
