using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;
using System.Text;

namespace ClusterState;

/// <summary>
/// The known vocabularies of SPEC.md §1: node roles, node statuses and task statuses, each in the
/// order the spec gives it. This is their one definition: validation, completion, the status
/// scans, the report and the sample generator all read it, so a value added here reaches all of
/// them. Values outside the vocabularies are kept, not rejected (a commit refuses them unless
/// forced). SPEC.md names no task types, so there is no task-type vocabulary.
/// </summary>
public static class Vocabularies
{
#pragma warning disable CS1591 // each constant is the value it names
    public const string Master = "master";
    public const string Worker = "worker";
    public const string Leecher = "leecher";

    public const string Online = "online";
    public const string Offline = "offline";
    public const string Draining = "draining";

    public const string Pending = "pending";
    public const string Assigned = "assigned";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";
#pragma warning restore CS1591

    /// <summary>Node roles: master, worker, leecher.</summary>
    public static IReadOnlyList<string> NodeRoles { get; } = List(Master, Worker, Leecher);

    /// <summary>Node statuses: online, offline, draining.</summary>
    public static IReadOnlyList<string> NodeStatuses { get; } = List(Online, Offline, Draining);

    /// <summary>Task statuses: pending, assigned, running, completed, failed, cancelled.</summary>
    public static IReadOnlyList<string> TaskStatuses { get; } = List(Pending, Assigned, Running, Completed, Failed, Cancelled);

    /// <summary>
    /// The task statuses a task does not leave by itself: completed, failed, cancelled (what
    /// Wait-ClusterTask waits for, and what removing a node leaves as it is).
    /// </summary>
    public static IReadOnlyList<string> FinishedTaskStatuses { get; } = List(Completed, Failed, Cancelled);

    // UTF-8 forms for the scans that compare column bytes without decoding; made once here
    // rather than as u8 literals at each scan, so the bytes cannot drift from the strings.
    internal static readonly byte[] MasterUtf8 = Encoding.UTF8.GetBytes(Master);
    internal static readonly byte[] WorkerUtf8 = Encoding.UTF8.GetBytes(Worker);
    internal static readonly byte[] LeecherUtf8 = Encoding.UTF8.GetBytes(Leecher);
    internal static readonly byte[] OnlineUtf8 = Encoding.UTF8.GetBytes(Online);

    /// <summary>The UTF-8 bytes of <see cref="TaskStatuses"/>, in the same order.</summary>
    internal static readonly byte[][] TaskStatusesUtf8 = TaskStatuses.Select(Encoding.UTF8.GetBytes).ToArray();

    // Read-only wrappers: a caller that casts to string[] cannot change the vocabulary for everyone.
    private static ReadOnlyCollection<string> List(params string[] values) => Array.AsReadOnly(values);
}
