namespace ClusterState;

/// <summary>One node in the topology.</summary>
public sealed class TopologyNode
{
#pragma warning disable CS1591
    public string Id { get; set; } = "";
    public string? Role { get; set; }
    public string? Status { get; set; }
    public int? CpuCount { get; set; }
    /// <summary>memory_total in GiB, 2 decimals.</summary>
    public double? MemoryGiB { get; set; }
    public int? GpuCount { get; set; }
#pragma warning restore CS1591

    /// <inheritdoc />
    public override string ToString() => Id;
}
