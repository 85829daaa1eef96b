using System.Collections.Generic;

namespace ClusterState;

/// <summary>Task execution metrics (SPEC.md §3).</summary>
public sealed class TaskMetrics : IFromState
{
    /// <summary>The state this was computed from (a directory or a server URI); cmdlets it is piped into bind it to -StatePath.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? StatePath { get; set; }

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
