using System.Management.Automation;

namespace ClusterState.PowerShell;

/// <summary>
/// Base of the cmdlets that work on one existing state named by <c>-StatePath</c>: the one
/// declaration of that parameter, with the alias <c>-Path</c> (SPEC.md §2), and the snapshot it
/// names. PowerShell takes a parameter's attributes from the most derived declaration only, so a
/// cmdlet whose <c>-StatePath</c> must differ (another -Path, pipeline binding, a position)
/// overrides the property and states its attributes in full; tests/Module.Tests.ps1 pins the
/// resulting metadata of every cmdlet.
/// </summary>
public abstract class StateCmdlet : ClusterStateCmdlet
{
    /// <summary>
    /// <para type="description">The state directory (or its state_metadata.json), or the grpc:// URI of a ClusterState server. Defaults to the session default set by Connect-ClusterState, then $env:CLUSTERSTATE_PATH, then ~/.ipfs/cluster_state, ~/.ipfs_cluster_state and /var/lib/ipfs/cluster_state.</para>
    /// </summary>
    [Parameter]
    [Alias("Path")]
    [ValidateNotNullOrEmpty]
    public virtual string? StatePath { get; set; }

    /// <summary>The snapshot of <see cref="StatePath"/>, opened once per command.</summary>
    protected ClusterSnapshot Snapshot => OpenSnapshot(StatePath);
}
