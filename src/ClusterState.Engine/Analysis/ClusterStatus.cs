using System;
using System.Collections.Generic;

namespace ClusterState;

/// <summary>The status summary of SPEC.md §3 (memory and content sizes in GiB, 2 decimals).</summary>
public sealed class ClusterStatus : IFromState
{
    /// <summary>The state this was computed from (a directory or a server URI); cmdlets it is piped into bind it to -StatePath.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? StatePath { get; set; }

#pragma warning disable CS1591 // names follow the seed's summary keys
    public string ClusterId { get; set; } = "";
    public string MasterId { get; set; } = "";
    public long Generation { get; set; }
    public DateTime? UpdatedAt { get; set; }
    public int NodesTotal { get; set; }
    public int NodesActive { get; set; }
    public int Masters { get; set; }
    public int Workers { get; set; }
    public int Leechers { get; set; }
    public long CpuCoresTotal { get; set; }
    public long GpusTotal { get; set; }
    public long GpusAvailable { get; set; }
    public double MemoryTotalGiB { get; set; }
    public double MemoryAvailableGiB { get; set; }
    public int TasksTotal { get; set; }
    public IReadOnlyDictionary<string, int> TasksByStatus { get; set; } = new Dictionary<string, int>();
    public int ContentTotal { get; set; }
    public double ContentSizeGiB { get; set; }
#pragma warning restore CS1591

    /// <inheritdoc />
    public override string ToString() => $"{ClusterId}: {NodesActive}/{NodesTotal} nodes online, {TasksTotal} tasks, {ContentTotal} content";
}
