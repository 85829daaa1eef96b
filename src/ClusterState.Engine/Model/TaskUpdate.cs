namespace ClusterState;

/// <summary>
/// Changes to one task; null properties stay as they are. A status change sets updated_at, and
/// started_at (running) or completed_at (completed, failed) when they are not set; back to
/// pending clears the assignment and both times.
/// </summary>
public sealed class TaskUpdate
{
#pragma warning disable CS1591
    public string Id { get; set; } = "";
    public string? Status { get; set; }
    public string? Type { get; set; }
    public string? AssignedTo { get; set; }
    /// <summary>Remove the assignment.</summary>
    public bool Unassign { get; set; }
    public string? OutputCid { get; set; }
    public string[]? OutputCids { get; set; }
    public string[]? AddOutputCids { get; set; }
    public int? CpuCores { get; set; }
    public int? GpuCores { get; set; }
    public int? MemoryMB { get; set; }
#pragma warning restore CS1591
}
