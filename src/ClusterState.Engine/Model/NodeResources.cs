namespace ClusterState;

/// <summary>The <c>resources</c> struct of a node (bytes for memory and disk, percent for CPU load).</summary>
public sealed class NodeResources
{
    /// <summary>Number of CPU cores.</summary>
    public int? CpuCount { get; set; }
    /// <summary>CPU load in percent, 0–100.</summary>
    public float? CpuLoad { get; set; }
    /// <summary>Number of GPUs.</summary>
    public int? GpuCount { get; set; }
    /// <summary>Whether the node's GPUs accept work.</summary>
    public bool? GpuAvailable { get; set; }
    /// <summary>Total memory in bytes.</summary>
    public long? MemoryTotal { get; set; }
    /// <summary>Available memory in bytes.</summary>
    public long? MemoryAvailable { get; set; }
    /// <summary>Total disk in bytes.</summary>
    public long? DiskTotal { get; set; }
    /// <summary>Available disk in bytes.</summary>
    public long? DiskAvailable { get; set; }

    /// <inheritdoc />
    public override string ToString() => $"cpu {CpuCount} @ {CpuLoad:0.#}%, gpu {GpuCount}, mem {MemoryAvailable}/{MemoryTotal}";
}
