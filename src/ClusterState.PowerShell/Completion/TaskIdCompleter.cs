using System.Collections.Generic;

namespace ClusterState.PowerShell.Completion;

/// <summary>Completes task ids.</summary>
public sealed class TaskIdCompleter : StateValueCompleter
{
    /// <inheritdoc />
    protected override IEnumerable<string> Candidates(ClusterSnapshot snapshot, string typed) => ValueCompletion.TaskIds(snapshot, typed);

    /// <inheritdoc />
    protected override (string Entity, object Query)? RemoteQuery(string pattern) => (ClusterSchema.Names.Tasks, new TaskQuery { Id = new[] { pattern } });
}
