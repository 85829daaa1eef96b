using System.Collections.Generic;

namespace ClusterState.PowerShell.Completion;

/// <summary>Completes node ids.</summary>
public sealed class NodeIdCompleter : StateValueCompleter
{
    /// <inheritdoc />
    protected override IEnumerable<string> Candidates(ClusterSnapshot snapshot, string typed) => ValueCompletion.NodeIds(snapshot, typed);

    /// <inheritdoc />
    protected override (string Entity, object Query)? RemoteQuery(string pattern) => (ClusterSchema.Names.Nodes, new NodeQuery { Id = new[] { pattern } });
}
