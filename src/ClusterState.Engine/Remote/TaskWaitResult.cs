using System.Collections.Generic;

namespace ClusterState;

/// <summary>What <see cref="TaskWaiter.Wait"/> found: the tasks, all in an awaited status, or the ids that name no task.</summary>
public sealed class TaskWaitResult
{
    internal TaskWaitResult(IReadOnlyList<ClusterTask> tasks, IReadOnlyList<string> missingIds)
    {
        Tasks = tasks;
        MissingIds = missingIds;
    }

    /// <summary>The tasks, in state order, each with one of the awaited statuses; empty when an id was missing.</summary>
    public IReadOnlyList<ClusterTask> Tasks { get; }

    /// <summary>Ids that match no task: the wait ends at once, since no commit is expected to add them.</summary>
    public IReadOnlyList<string> MissingIds { get; }
}
