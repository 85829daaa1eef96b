using System;

namespace ClusterState;

/// <summary>One task of the cluster. Requirement fields are flattened onto the task.</summary>
public sealed class ClusterTask
{
    /// <summary>The values: made when the object is created by hand, or read from its row on first use.</summary>
    private sealed class Values
    {
        public string Id = "";
        public string? Type;
        public string? Status;
        public DateTime? CreatedAt;
        public DateTime? UpdatedAt;
        public DateTime? StartedAt;
        public DateTime? CompletedAt;
        public string? AssignedTo;
        public TaskResources? Resources;
        public string? InputCid;
        public string? OutputCid;
        public string[] InputCids = Array.Empty<string>();
        public string[] OutputCids = Array.Empty<string>();
    }

    private LazyValues<ClusterTask, Values> _lazy;

    /// <summary>Creates an empty task to fill in.</summary>
    public ClusterTask() => _lazy = LazyValues<ClusterTask, Values>.Filled();

    /// <summary>A row of a snapshot, read from the columns when a property is first used.</summary>
    internal ClusterTask(RowSource<ClusterTask> source, int row) => _lazy = LazyValues<ClusterTask, Values>.Of(source, row);

    private Values V => _lazy.Get(static row => row.V);

    /// <summary>
    /// The state this task was read from (a directory or a server's grpc:// URI); null for one made
    /// by hand. Cmdlets that take it from the pipeline bind it to -StatePath, so a pipeline acts on
    /// the state its objects came from.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? StatePath => _lazy.State;

    /// <summary>Task id.</summary>
    public string Id { get => V.Id; set => V.Id = value; }
    /// <summary>Task type, e.g. <c>model_training</c>.</summary>
    public string? Type { get => V.Type; set => V.Type = value; }
    /// <summary>pending, assigned, running, completed, failed or cancelled.</summary>
    public string? Status { get => V.Status; set => V.Status = value; }
    /// <summary>When the task was created (UTC).</summary>
    public DateTime? CreatedAt { get => V.CreatedAt; set => V.CreatedAt = value; }
    /// <summary>When the task last changed (UTC).</summary>
    public DateTime? UpdatedAt { get => V.UpdatedAt; set => V.UpdatedAt = value; }
    /// <summary>When the task started running (UTC); schema version 2.</summary>
    public DateTime? StartedAt { get => V.StartedAt; set => V.StartedAt = value; }
    /// <summary>When the task completed or failed (UTC); schema version 2.</summary>
    public DateTime? CompletedAt { get => V.CompletedAt; set => V.CompletedAt = value; }
    /// <summary>Id of the node the task is assigned to.</summary>
    public string? AssignedTo { get => V.AssignedTo; set => V.AssignedTo = value; }
    /// <summary>The requirements struct; null when the task has none.</summary>
    public TaskResources? Resources { get => V.Resources; set => V.Resources = value; }
    /// <summary>Primary input CID.</summary>
    public string? InputCid { get => V.InputCid; set => V.InputCid = value; }
    /// <summary>Primary output CID.</summary>
    public string? OutputCid { get => V.OutputCid; set => V.OutputCid = value; }
    /// <summary>All input CIDs.</summary>
    public string[] InputCids { get => V.InputCids; set => V.InputCids = value; }
    /// <summary>All output CIDs.</summary>
    public string[] OutputCids { get => V.OutputCids; set => V.OutputCids = value; }

    /// <summary>CPU cores required.</summary>
    public int? CpuCores => Resources?.CpuCores;
    /// <summary>GPU cores required.</summary>
    public int? GpuCores => Resources?.GpuCores;
    /// <summary>Memory required in MiB.</summary>
    public int? MemoryMB => Resources?.MemoryMB;

    /// <inheritdoc />
    public override string ToString() => Id;
}
