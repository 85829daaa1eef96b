namespace ClusterState;

/// <summary>Where a state was found (Resolve-ClusterStatePath).</summary>
public sealed class StateLocation
{
    /// <summary>The state directory.</summary>
    public string StatePath { get; set; } = "";
    /// <summary>Its state_metadata.json.</summary>
    public string MetadataPath { get; set; } = "";
    /// <summary>The current snapshot file.</summary>
    public string SnapshotPath { get; set; } = "";
    /// <summary>The latest Parquet checkpoint, if the metadata names one.</summary>
    public string? ParquetPath { get; set; }
    /// <summary>How it was found: Explicit, Session, Environment or WellKnown.</summary>
    public string Source { get; set; } = "";

    /// <inheritdoc />
    public override string ToString() => StatePath;
}
