using ClusterState.Query;
using System;
using System.Collections.Generic;
using System.Text;
using ClusterState.Schema;

namespace ClusterState.Analysis;

/// <summary>Task metrics and completion estimates (SPEC.md §3), computed over the task columns.</summary>
internal static class TaskStatistics
{
    /// <summary>How many tasks have each (status, type) pair; null values stay null.</summary>
    public static Dictionary<(string? Status, string? Type), int> CountByStatusAndType(ClusterSnapshot snapshot)
    {
        var tasks = snapshot.Tasks;
        var counts = new Dictionary<(string?, string?), int>();
        foreach (int i in tasks.Rows)
        {
            var key = (tasks.Status.Get(i), tasks.Type.Get(i));
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        return counts;
    }

    public static TaskMetrics Metrics(ClusterSnapshot snapshot)
    {
        var tasks = snapshot.Tasks;
        int completed = 0, failed = 0, pending = 0, running = 0;
        foreach (int t in tasks.Rows)
        {
            switch (TaskStatusBytes.Classify(tasks.Status.GetBytes(t)))
            {
                case TaskState.Completed: completed++; break;
                case TaskState.Failed: failed++; break;
                case TaskState.Pending: pending++; break;
                case TaskState.Assigned or TaskState.Running: running++; break;
            }
        }
        var durations = ExecutionTimes(snapshot);
        long timed = 0;
        double seconds = 0;
        foreach (var (count, sum) in durations.Values)
        {
            timed += count;
            seconds += sum;
        }
        return new TaskMetrics
        {
            TotalTasks = tasks.Count,
            CompletedTasks = completed,
            FailedTasks = failed,
            PendingTasks = pending,
            RunningTasks = running,
            CompletionRate = completed + failed > 0 ? completed / (double)(completed + failed) : 0,
            AverageExecutionTime = timed > 0 ? seconds / timed : null,
            TimedTasks = (int)timed,
            TasksByType = StatusSummary.CountByValue(tasks, tasks.Type),
            TasksByStatus = StatusSummary.CountByValue(tasks, tasks.Status),
        };
    }

    public static TaskEstimate Estimate(ClusterSnapshot snapshot, int row, DateTime now)
    {
        var tasks = snapshot.Tasks;
        var state = TaskStatusBytes.Classify(tasks.Status.GetBytes(row));
        var estimate = new TaskEstimate { TaskId = tasks.Id.Get(row) ?? "", Type = tasks.Type.Get(row), Status = tasks.Status.Get(row) };
        if (state is not (TaskState.Pending or TaskState.Assigned or TaskState.Running))
        {
            estimate.EstimatedSeconds = 0;
            return estimate;
        }
        var byType = ExecutionTimes(snapshot);
        if (!byType.TryGetValue(estimate.Type ?? "", out var stats) || stats.Count == 0) return estimate;
        double mean = stats.Sum / stats.Count;
        estimate.BasedOnTasks = stats.Count;
        if (state == TaskState.Running && tasks.StartedAt.Get(row) is DateTime started)
        {
            mean -= (now - started).TotalSeconds;
        }
        estimate.EstimatedSeconds = Math.Max(0, mean);
        return estimate;
    }

    /// <summary>Per task type: how many completed tasks have both timestamps, and the sum of their durations in seconds.</summary>
    private static Dictionary<string, (int Count, double Sum)> ExecutionTimes(ClusterSnapshot snapshot) =>
        snapshot.Data.GetOrAdd("aggregates:execution-times", _ =>
        {
            var tasks = snapshot.Tasks;
            var result = new Dictionary<string, (int Count, double Sum)>(StringComparer.Ordinal);
            foreach (int t in tasks.Rows)
            {
                if (TaskStatusBytes.Classify(tasks.Status.GetBytes(t)) != TaskState.Completed) continue;
                if (tasks.StartedAt.GetMilliseconds(t) is not long start || tasks.CompletedAt.GetMilliseconds(t) is not long end) continue;
                string type = tasks.Type.IsNull(t) ? "" : Encoding.UTF8.GetString(tasks.Type.GetBytes(t));
                result.TryGetValue(type, out var s);
                result[type] = (s.Count + 1, s.Sum + (end - start) / 1000.0);
            }
            return result;
        });
}
