using System.Collections.Generic;

namespace ClusterState.PowerShell.Completion;

/// <summary>Completes node statuses.</summary>
public sealed class NodeStatusCompleter : StateValueCompleter
{
    /// <inheritdoc />
    protected override IEnumerable<string> Candidates(ClusterSnapshot snapshot, string typed) => ValueCompletion.NodeStatuses(snapshot);
}
