using System.Collections.Generic;

namespace ClusterState.PowerShell.Completion;

/// <summary>Completes content providers (node ids).</summary>
public sealed class ProviderCompleter : StateValueCompleter
{
    /// <inheritdoc />
    protected override IEnumerable<string> Candidates(ClusterSnapshot snapshot, string typed) => ValueCompletion.Providers(snapshot);
}
