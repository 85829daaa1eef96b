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
