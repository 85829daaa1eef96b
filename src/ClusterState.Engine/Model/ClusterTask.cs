using System;

namespace ClusterState;

/// <summary>One task of the cluster. Requirement fields are flattened onto the task.</summary>
public sealed class ClusterTask
{
    /// <summary>Task id.</summary>
    public string Id { get; set; } = "";
    /// <summary>Task type, e.g. <c>model_training</c>.</summary>
    public string? Type { get; set; }
    /// <summary>pending, assigned, running, completed, failed or cancelled.</summary>
    public string? Status { get; set; }
    /// <summary>When the task was created (UTC).</summary>
    public DateTime? CreatedAt { get; set; }
    /// <summary>When the task last changed (UTC).</summary>
    public DateTime? UpdatedAt { get; set; }
    /// <summary>When the task started running (UTC); schema version 2.</summary>
    public DateTime? StartedAt { get; set; }
    /// <summary>When the task completed or failed (UTC); schema version 2.</summary>
    public DateTime? CompletedAt { get; set; }
    /// <summary>Id of the node the task is assigned to.</summary>
    public string? AssignedTo { get; set; }
    /// <summary>The requirements struct; null when the task has none.</summary>
    public TaskResources? Resources { get; set; }
    /// <summary>Primary input CID.</summary>
    public string? InputCid { get; set; }
    /// <summary>Primary output CID.</summary>
    public string? OutputCid { get; set; }
    /// <summary>All input CIDs.</summary>
    public string[] InputCids { get; set; } = Array.Empty<string>();
    /// <summary>All output CIDs.</summary>
    public string[] OutputCids { get; set; } = Array.Empty<string>();

    /// <summary>CPU cores required.</summary>
    public int? CpuCores => Resources?.CpuCores;
    /// <summary>GPU cores required.</summary>
    public int? GpuCores => Resources?.GpuCores;
    /// <summary>Memory required in MiB.</summary>
    public int? MemoryMB => Resources?.MemoryMB;

    /// <inheritdoc />
    public override string ToString() => Id;
}
