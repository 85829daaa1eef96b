using System.Collections.Generic;

namespace ClusterState;

/// <summary>Filters for tasks.</summary>
public sealed class TaskQuery
{
    /// <summary>Ids or wildcard patterns.</summary>
    public IReadOnlyList<string>? Id { get; set; }
    /// <summary>Statuses.</summary>
    public IReadOnlyList<string>? Status { get; set; }
    /// <summary>Task types.</summary>
    public IReadOnlyList<string>? Type { get; set; }
    /// <summary>Node ids the tasks are assigned to.</summary>
    public IReadOnlyList<string>? AssignedTo { get; set; }
    /// <summary>Minimum CPU cores the task requires.</summary>
    public int? MinCpuCores { get; set; }
    /// <summary>Minimum GPU cores the task requires.</summary>
    public int? MinGpuCores { get; set; }
    /// <summary>Minimum memory in MiB the task requires.</summary>
    public int? MinMemoryMB { get; set; }
}
