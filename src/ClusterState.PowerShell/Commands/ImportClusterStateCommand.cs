using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Creates a cluster state directory from a JSON export, a Parquet checkpoint or an Arrow IPC file.</para>
/// <para type="description">Import-ClusterState reads -Path and writes a new state into -StatePath. A JSON document with the schema's field names (Export-ClusterState -Format Json) or a Parquet checkpoint (Save-ClusterStateCheckpoint, also one another state wrote) becomes a state in the current schema version; an Arrow IPC file with the cluster-state schema (Export-ClusterState -Format Arrow, a snapshot of another state, a file written by pyarrow or arrow-js, or the ipfs_kit_py variant) is validated and copied byte for byte, keeping its version and every field. The format is detected from the file's first bytes unless -Format says. An existing state in -StatePath is replaced only with -Force (as its next generation).</para>
/// </summary>
[Cmdlet(VerbsData.Import, "ClusterState", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ClusterMetadata))]
public sealed class ImportClusterStateCommand : ClusterStateCmdlet
{
    /// <summary><para type="description">The file to import.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary><para type="description">The directory of the new state.</para></summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string StatePath { get; set; } = "";

    /// <summary><para type="description">Auto (default: from the file's first bytes), Json, Arrow or Parquet.</para></summary>
    [Parameter]
    public ImportFormat Format { get; set; } = ImportFormat.Auto;

    /// <summary><para type="description">Replace a state that already exists in -StatePath (as its next generation).</para></summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() =>
    {
        string file = ResolveUserPath(Path);
        string dir = ResolveUserPath(StatePath);
        if (!ShouldProcess(dir, $"Import the cluster state in '{file}'")) return;
        StateImport.Import(file, dir, Format, new CreateStateOptions { Force = Force });
        using var snapshot = ClusterSnapshot.Open(dir);
        WriteObject(snapshot.Describe());
    });
}
