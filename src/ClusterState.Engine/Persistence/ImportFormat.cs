namespace ClusterState;

/// <summary>What <see cref="StateImport"/> reads.</summary>
public enum ImportFormat
{
    /// <summary>Decide from the file's first bytes.</summary>
    Auto,
    /// <summary>A JSON export (Export-ClusterState -Format Json, or the same field names).</summary>
    Json,
    /// <summary>An Arrow IPC file with the cluster-state schema (any version, any writer).</summary>
    Arrow,
    /// <summary>A Parquet checkpoint (the nested one-row schema).</summary>
    Parquet,
}
