namespace ClusterState;

/// <summary>Changes to one node; null properties stay as they are.</summary>
public sealed class NodeUpdate
{
#pragma warning disable CS1591
    public string Id { get; set; } = "";
    public string? Role { get; set; }
    public string? Status { get; set; }
    public string[]? Peers { get; set; }
    public string[]? AddPeers { get; set; }
    public string[]? RemovePeers { get; set; }
    public string[]? Capabilities { get; set; }
    public string[]? AddCapabilities { get; set; }
    public string[]? RemoveCapabilities { get; set; }
    public int? CpuCount { get; set; }
    public float? CpuLoad { get; set; }
    public int? GpuCount { get; set; }
    public bool? GpuAvailable { get; set; }
    public long? MemoryTotal { get; set; }
    public long? MemoryAvailable { get; set; }
    public long? DiskTotal { get; set; }
    public long? DiskAvailable { get; set; }
#pragma warning restore CS1591
    /// <summary>
    /// More fields to set, by their Arrow names (a field of a struct such as resources by its own
    /// name), for fields no property here covers (a field newer than this type): each value
    /// replaces the field's, null clears it. The entity's field table says which fields exist
    /// and which an update may set (UnknownField, FieldNotUpdatable otherwise).
    /// </summary>
#pragma warning disable CA2227 // a plain, mutable description, like ChangeSet
    public System.Collections.Generic.Dictionary<string, object?>? Fields { get; set; }
#pragma warning restore CA2227
}
