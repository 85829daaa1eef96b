namespace ClusterState;

/// <summary>A node chosen for a task by the placement rule, with its score.</summary>
public sealed class NodeForTask : IFromState
{
    /// <summary>The state this was computed from (a directory or a server URI); cmdlets it is piped into bind it to -StatePath.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? StatePath { get; set; }

    /// <summary>The task that was placed.</summary>
    public string TaskId { get; set; } = "";
    /// <summary>The chosen node's id.</summary>
    public string NodeId { get; set; } = "";
    /// <summary>0.4·(1 − cpu_load/100) + 0.6·(memory_available / memory_total).</summary>
    public double Score { get; set; }
    /// <summary>The chosen node.</summary>
    public ClusterNode Node { get; set; } = new();
    /// <summary>CPU cores the task requires (after defaults).</summary>
    public int CpuCores { get; set; }
    /// <summary>GPU cores the task requires (after defaults).</summary>
    public int GpuCores { get; set; }
    /// <summary>Memory the task requires in MiB (after defaults).</summary>
    public int MemoryMB { get; set; }

    /// <summary>The node id, so the object binds to node -Id parameters by property name.</summary>
    public string Id => NodeId;

    /// <inheritdoc />
    public override string ToString() => $"{TaskId} -> {NodeId} ({Score:0.###})";
}
