using System.Collections.Generic;

namespace ClusterState.PowerShell.Completion;

/// <summary>Completes node roles.</summary>
public sealed class NodeRoleCompleter : StateValueCompleter
{
    /// <inheritdoc />
    protected override IEnumerable<string> Candidates(ClusterSnapshot snapshot, string typed) => ValueCompletion.NodeRoles(snapshot);
}
