using System;
using System.Text;

namespace ClusterState.Query;

/// <summary>The task-status vocabulary as byte comparisons (ASCII case-insensitive) for column scans.</summary>
internal enum TaskState
{
    Other,
    Pending,
    Assigned,
    Running,
    Completed,
    Failed,
    Cancelled,
}

internal static class TaskStatusBytes
{
    public static TaskState Classify(ReadOnlySpan<byte> status) => status.Length switch
    {
        7 when Ascii.EqualsIgnoreCase(status, "pending"u8) => TaskState.Pending,
        7 when Ascii.EqualsIgnoreCase(status, "running"u8) => TaskState.Running,
        8 when Ascii.EqualsIgnoreCase(status, "assigned"u8) => TaskState.Assigned,
        9 when Ascii.EqualsIgnoreCase(status, "completed"u8) => TaskState.Completed,
        9 when Ascii.EqualsIgnoreCase(status, "cancelled"u8) => TaskState.Cancelled,
        6 when Ascii.EqualsIgnoreCase(status, "failed"u8) => TaskState.Failed,
        _ => TaskState.Other,
    };

    public static bool IsActive(TaskState s) => s is TaskState.Assigned or TaskState.Running;
}
