using System.Collections.Generic;

namespace ClusterState.PowerShell;

/// <summary>
/// Base of the Remove-* cmdlets: each id passes ShouldProcess into the change set, and
/// -PassThru emits the removed items as they were before the commit.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
public abstract class StateRemovingCmdlet<T> : StateWritingCmdlet
{
    private readonly List<T> _removed = new();

    /// <summary>The ids this pipeline removes (the change set's list for the entity).</summary>
    protected abstract List<string> RemovedIds { get; }

    /// <summary>Reads the items about to be removed; <paramref name="ids"/> are escaped to match exactly.</summary>
    protected abstract IEnumerable<T> ReadItems(ClusterSnapshot before, string[] ids);

    /// <summary>Adds each id that passes ShouldProcess (as <paramref name="action"/>) to the change set.</summary>
    protected void Remove(IEnumerable<string> ids, string action)
    {
        foreach (var id in ids)
        {
            if (ShouldProcessItem(id, action)) RemovedIds.Add(id);
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (PassThru && !ChangeSet.IsEmpty) Run(() => _removed.AddRange(ReadItems(OpenSnapshot(StatePath), Literal(RemovedIds))));
        base.EndProcessing();
    }

    /// <inheritdoc />
    protected override void WriteChanged(ClusterSnapshot after) => WriteObject(_removed, enumerateCollection: true);
}
