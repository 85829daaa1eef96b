using System.Collections.Generic;

namespace ClusterState.PowerShell.Completion;

/// <summary>Completes content CIDs.</summary>
public sealed class CidCompleter : StateValueCompleter
{
    /// <inheritdoc />
    protected override IEnumerable<string> Candidates(ClusterSnapshot snapshot, string typed) => ValueCompletion.Cids(snapshot, typed);

    /// <inheritdoc />
    protected override (string Entity, object Query)? RemoteQuery(string pattern) => (ClusterSchema.Names.Content, new ContentQuery { Cid = new[] { pattern } });
}
