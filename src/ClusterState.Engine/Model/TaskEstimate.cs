namespace ClusterState;

/// <summary>Estimated time to completion of one task (SPEC.md §3).</summary>
public sealed class TaskEstimate : IFromState
{
    /// <summary>The state this was computed from (a directory or a server URI); cmdlets it is piped into bind it to -StatePath.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? StatePath { get; set; }

    /// <summary>The task.</summary>
    public string TaskId { get; set; } = "";
    /// <summary>Its type.</summary>
    public string? Type { get; set; }
    /// <summary>Its status.</summary>
    public string? Status { get; set; }
    /// <summary>Seconds until it completes; 0 for tasks that are done; null when unknown.</summary>
    public double? EstimatedSeconds { get; set; }
    /// <summary>How many completed tasks of the same type the estimate is based on.</summary>
    public int BasedOnTasks { get; set; }

    /// <inheritdoc />
    public override string ToString() => $"{TaskId}: {EstimatedSeconds?.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"} s";
}
