namespace ClusterState;

/// <summary>Formats <see cref="StateExport"/> writes.</summary>
public enum ExportFormat
{
    /// <summary>One JSON document with the schema's field names and ISO-8601 UTC timestamps.</summary>
    Json,
    /// <summary>The Arrow IPC file of the snapshot, byte for byte.</summary>
    Arrow,
    /// <summary>A directory with nodes.csv, tasks.csv and content.csv: one row per item.</summary>
    Csv,
    /// <summary>A directory with nodes.parquet, tasks.parquet and content.parquet (the flat analytics layout).</summary>
    Parquet,
    /// <summary>One Parquet file in the nested one-row state schema (the layout of checkpoints).</summary>
    ParquetNested,
}
