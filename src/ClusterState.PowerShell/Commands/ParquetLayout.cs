namespace ClusterState.PowerShell.Commands;

/// <summary>Parquet layouts Export-ClusterState writes.</summary>
public enum ParquetLayout
{
    /// <summary>One file per entity, one row per item, resources as columns.</summary>
    Flat,
    /// <summary>One file in the nested one-row state schema (the layout of checkpoints).</summary>
    Nested,
}
