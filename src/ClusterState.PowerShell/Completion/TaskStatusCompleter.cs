using System.Collections.Generic;

namespace ClusterState.PowerShell.Completion;

/// <summary>Completes task statuses.</summary>
public sealed class TaskStatusCompleter : StateValueCompleter
{
    /// <inheritdoc />
    protected override IEnumerable<string> Candidates(ClusterSnapshot snapshot, string typed) => ValueCompletion.TaskStatuses(snapshot);
}
