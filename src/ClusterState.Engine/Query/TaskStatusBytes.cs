using System;
using System.Linq;
using System.Text;

namespace ClusterState.Query;

/// <summary>Classifies a status by its bytes (ASCII case-insensitive) without decoding it.</summary>
internal static class TaskStatusBytes
{
    // The vocabulary grouped by byte length, made once: a row costs one length check and then a
    // comparison with the one or two statuses of that length, as a switch on the length did.
    private static readonly (byte[] Bytes, TaskState State)[][] ByLength = GroupByLength();

    public static TaskState Classify(ReadOnlySpan<byte> status)
    {
        var byLength = ByLength;
        if ((uint)status.Length >= (uint)byLength.Length) return TaskState.Other;
        foreach (var (bytes, state) in byLength[status.Length])
        {
            if (Ascii.EqualsIgnoreCase(status, bytes)) return state;
        }
        return TaskState.Other;
    }

    public static bool IsActive(TaskState s) => s is TaskState.Assigned or TaskState.Running;

    private static (byte[] Bytes, TaskState State)[][] GroupByLength()
    {
        var statuses = Vocabularies.TaskStatusesUtf8;
        var result = new (byte[], TaskState)[statuses.Max(s => s.Length) + 1][];
        for (int length = 0; length < result.Length; length++)
        {
            result[length] = statuses.Select((bytes, k) => (bytes, State: (TaskState)(k + 1))).Where(x => x.bytes.Length == length).ToArray();
        }
        return result;
    }
}
