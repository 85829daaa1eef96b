using System.Collections.Generic;

namespace ClusterState.PowerShell.Completion;

/// <summary>Completes node capabilities.</summary>
public sealed class CapabilityCompleter : StateValueCompleter
{
    /// <inheritdoc />
    protected override IEnumerable<string> Candidates(ClusterSnapshot snapshot, string typed) => ValueCompletion.Capabilities(snapshot);
}
