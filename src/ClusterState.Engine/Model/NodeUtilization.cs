namespace ClusterState;

/// <summary>Resource utilization of one node (SPEC.md §3); fractions 0–1.</summary>
public sealed class NodeUtilization : IFromState
{
    /// <summary>The state this was computed from (a directory or a server URI); cmdlets it is piped into bind it to -StatePath.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? StatePath { get; set; }

    /// <summary>The node's id.</summary>
    public string NodeId { get; set; } = "";
    /// <summary>The node's role.</summary>
    public string? Role { get; set; }
    /// <summary>The node's status.</summary>
    public string? Status { get; set; }
    /// <summary>cpu_load / 100.</summary>
    public double? CpuUtilization { get; set; }
    /// <summary>1 − memory_available / memory_total (0 when the total is 0).</summary>
    public double? MemoryUtilization { get; set; }
    /// <summary>1 − disk_available / disk_total (0 when the total is 0).</summary>
    public double? DiskUtilization { get; set; }
    /// <summary>GPU cores of its assigned/running tasks over gpu_count, at most 1; null without GPUs.</summary>
    public double? GpuUtilization { get; set; }
    /// <summary>Its tasks in assigned or running.</summary>
    public int ActiveTasks { get; set; }
    /// <summary>Its completed tasks.</summary>
    public int CompletedTasks { get; set; }
    /// <summary>Its failed tasks.</summary>
    public int FailedTasks { get; set; }
    /// <summary>completed / (completed + failed); null when none ended.</summary>
    public double? SuccessRate { get; set; }
    /// <summary>Mean of the non-null utilizations.</summary>
    public double? LoadIndex { get; set; }

    /// <summary>The node id, so the object binds to -Id parameters by property name.</summary>
    public string Id => NodeId;

    /// <inheritdoc />
    public override string ToString() => NodeId;
}
