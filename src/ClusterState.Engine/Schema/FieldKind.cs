namespace ClusterState.Schema;

/// <summary>The kind of a field table row's value, for mappings that switch on it (Parquet leaves).</summary>
internal enum FieldKind
{
    /// <summary>string</summary>
    String,
    /// <summary>list&lt;string&gt;</summary>
    StringList,
    /// <summary>int32</summary>
    Int32,
    /// <summary>int64</summary>
    Int64,
    /// <summary>float32</summary>
    Float,
    /// <summary>bool</summary>
    Boolean,
    /// <summary>timestamp[ms]</summary>
    Timestamp,
    /// <summary>a nested struct with a child table</summary>
    Struct,
}
