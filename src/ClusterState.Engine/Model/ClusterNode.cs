using System;

namespace ClusterState;

/// <summary>
/// One node of the cluster. The resource fields are flattened onto the node so that
/// <c>Where-Object CpuLoad -lt 50</c> works; <see cref="Resources"/> keeps the struct.
/// </summary>
public sealed class ClusterNode
{
    /// <summary>Node id (an IPFS peer id in live clusters).</summary>
    public string Id { get; set; } = "";
    /// <summary>Role: master, worker or leecher.</summary>
    public string? Role { get; set; }
    /// <summary>Status: online, offline or draining.</summary>
    public string? Status { get; set; }
    /// <summary>Ids of the peers this node lists.</summary>
    public string[] Peers { get; set; } = Array.Empty<string>();
    /// <summary>Capabilities such as <c>gpu</c> or <c>storage</c>.</summary>
    public string[] Capabilities { get; set; } = Array.Empty<string>();
    /// <summary>The resources struct; null when the state has none for this node.</summary>
    public NodeResources? Resources { get; set; }

    /// <summary>Number of CPU cores.</summary>
    public int? CpuCount => Resources?.CpuCount;
    /// <summary>CPU load in percent.</summary>
    public float? CpuLoad => Resources?.CpuLoad;
    /// <summary>Number of GPUs.</summary>
    public int? GpuCount => Resources?.GpuCount;
    /// <summary>Whether the GPUs accept work.</summary>
    public bool? GpuAvailable => Resources?.GpuAvailable;
    /// <summary>Total memory in bytes.</summary>
    public long? MemoryTotal => Resources?.MemoryTotal;
    /// <summary>Available memory in bytes.</summary>
    public long? MemoryAvailable => Resources?.MemoryAvailable;
    /// <summary>Total disk in bytes.</summary>
    public long? DiskTotal => Resources?.DiskTotal;
    /// <summary>Available disk in bytes.</summary>
    public long? DiskAvailable => Resources?.DiskAvailable;

    /// <inheritdoc />
    public override string ToString() => Id;
}
