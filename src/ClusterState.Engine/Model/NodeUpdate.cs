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
}
