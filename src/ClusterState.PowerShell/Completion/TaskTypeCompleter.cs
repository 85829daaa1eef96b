using System.Collections.Generic;

namespace ClusterState.PowerShell.Completion;

/// <summary>Completes task types.</summary>
public sealed class TaskTypeCompleter : StateValueCompleter
{
    /// <inheritdoc />
    protected override IEnumerable<string> Candidates(ClusterSnapshot snapshot, string typed) => ValueCompletion.TaskTypes(snapshot);
}
