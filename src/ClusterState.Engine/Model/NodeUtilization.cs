using System;
using System.Collections.Generic;

namespace ClusterState;

/// <summary>Resource utilization of one node (SPEC.md §3); fractions 0–1.</summary>
public sealed class NodeUtilization
{
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

/// <summary>A node chosen for a task by the placement rule, with its score.</summary>
public sealed class NodeForTask
{
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

/// <summary>Task execution metrics (SPEC.md §3).</summary>
public sealed class TaskMetrics
{
#pragma warning disable CS1591 // the seed's result keys in PascalCase
    public int TotalTasks { get; set; }
    public int CompletedTasks { get; set; }
    public int FailedTasks { get; set; }
    public int PendingTasks { get; set; }
    /// <summary>Tasks in assigned or running.</summary>
    public int RunningTasks { get; set; }
    /// <summary>completed / (completed + failed), 0 when none ended.</summary>
    public double CompletionRate { get; set; }
    /// <summary>Mean completed_at − started_at in seconds over completed tasks that have both; null when there are none.</summary>
    public double? AverageExecutionTime { get; set; }
    /// <summary>How many completed tasks had both timestamps.</summary>
    public int TimedTasks { get; set; }
    public IReadOnlyDictionary<string, int> TasksByType { get; set; } = new Dictionary<string, int>();
    public IReadOnlyDictionary<string, int> TasksByStatus { get; set; } = new Dictionary<string, int>();
#pragma warning restore CS1591

    /// <inheritdoc />
    public override string ToString() => $"{TotalTasks} tasks, completion rate {CompletionRate:P1}";
}

/// <summary>Estimated time to completion of one task (SPEC.md §3).</summary>
public sealed class TaskEstimate
{
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

/// <summary>An undirected link between two peers.</summary>
public sealed class TopologyConnection
{
    /// <summary>The node that lists the link first in state order.</summary>
    public string Source { get; set; } = "";
    /// <summary>The other end.</summary>
    public string Target { get; set; } = "";
    /// <summary>True when the target is a peer that is not a node of this state.</summary>
    public bool External { get; set; }

    /// <inheritdoc />
    public override string ToString() => $"{Source} -- {Target}";
}

/// <summary>The network topology: nodes and one connection per linked pair.</summary>
public sealed class ClusterTopology
{
    /// <summary>Every node of the state.</summary>
    public IReadOnlyList<TopologyNode> Nodes { get; set; } = Array.Empty<TopologyNode>();
    /// <summary>One undirected connection per pair that either side lists as a peer.</summary>
    public IReadOnlyList<TopologyConnection> Connections { get; set; } = Array.Empty<TopologyConnection>();
    /// <summary>Peers listed by nodes that are not nodes of this state.</summary>
    public IReadOnlyList<string> ExternalPeers { get; set; } = Array.Empty<string>();

    /// <inheritdoc />
    public override string ToString() => $"{Nodes.Count} nodes, {Connections.Count} connections";
}

/// <summary>Where a state was found (Resolve-ClusterStatePath).</summary>
public sealed class StateLocation
{
    /// <summary>The state directory.</summary>
    public string StatePath { get; set; } = "";
    /// <summary>Its state_metadata.json.</summary>
    public string MetadataPath { get; set; } = "";
    /// <summary>The current snapshot file.</summary>
    public string SnapshotPath { get; set; } = "";
    /// <summary>The latest Parquet checkpoint, if the metadata names one.</summary>
    public string? ParquetPath { get; set; }
    /// <summary>How it was found: Explicit, Session, Environment or WellKnown.</summary>
    public string Source { get; set; } = "";

    /// <inheritdoc />
    public override string ToString() => StatePath;
}
