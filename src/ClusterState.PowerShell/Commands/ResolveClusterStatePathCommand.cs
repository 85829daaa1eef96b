using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Finds the cluster state directory the other cmdlets would use, and the files it points to.</para>
/// <para type="description">Resolve-ClusterStatePath applies the resolution order of every ClusterState cmdlet: -BaseDirectory when given, then the session default set by Connect-ClusterState, $env:CLUSTERSTATE_PATH, ~/.ipfs/cluster_state, ~/.ipfs_cluster_state and /var/lib/ipfs/cluster_state. It returns the directory, its state_metadata.json, the current snapshot file, the Parquet checkpoint named by the metadata (if any) and how the state was found. When nothing resolves it stops with StateNotFound, naming every path tried (the seed's get_state_path_from_metadata).</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Resolve, "ClusterStatePath")]
[OutputType(typeof(StateLocation))]
public sealed class ResolveClusterStatePathCommand : ClusterStateCmdlet
{
    /// <summary><para type="description">A directory to use instead of the default locations (or the path of its state_metadata.json).</para></summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Path", "StatePath")]
    [ValidateNotNullOrEmpty]
    public string? BaseDirectory { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() =>
        WriteObject(StateLocator.Describe(BaseDirectory is null ? null : ResolveUserPath(BaseDirectory), SessionDefaults.Get())));
}
