using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Finds the cluster state directory the other cmdlets would use, and the files it points to.</para>
/// <para type="description">Resolve-ClusterStatePath applies the resolution order of every ClusterState cmdlet: -BaseDirectory when given, then the session default set by Connect-ClusterState, $env:CLUSTERSTATE_PATH, ~/.ipfs/cluster_state, ~/.ipfs_cluster_state and /var/lib/ipfs/cluster_state. Connected to a server (or given its grpc:// URI), it returns the server's URI and the file names its metadata gives. It returns the directory, its state_metadata.json, the current snapshot file, the Parquet checkpoint named by the metadata (if any) and how the state was found. When nothing resolves it stops with StateNotFound, naming every path tried (the seed's get_state_path_from_metadata).</para>
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
    {
        if (StateSource.IsRemoteLocation(BaseDirectory) || (BaseDirectory is null && StateSource.IsRemoteLocation(SessionDefaults.Get())))
        {
            // A server: its URI, and the files it names (paths on the server's machine).
            var remote = RemoteState.For(BaseDirectory ?? SessionDefaults.Get()!);
            var metadata = remote.ReadMetadata();
            WriteObject(new StateLocation
            {
                StatePath = remote.Location,
                MetadataPath = StateMetadata.FileName,
                SnapshotPath = metadata.Snapshot,
                ParquetPath = metadata.ParquetPath,
                Source = BaseDirectory is null ? "Session" : "Explicit",
            });
            return;
        }
        WriteObject(StateLocator.Describe(BaseDirectory is null ? null : ResolveUserPath(BaseDirectory), SessionDefaults.Get() is { } session && !StateSource.IsRemoteLocation(session) ? session : null));
    });
}
