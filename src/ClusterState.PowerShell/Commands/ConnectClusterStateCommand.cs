using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Makes a state directory the session default for every ClusterState cmdlet.</para>
/// <para type="description">Connect-ClusterState opens the state once to check that it is readable, then remembers its directory for this runspace. Cmdlets without -StatePath use it before $env:CLUSTERSTATE_PATH and the well-known locations. Without -Path it resolves the default locations and connects to the first state found.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "ClusterState")]
[OutputType(typeof(ClusterMetadata))]
public sealed class ConnectClusterStateCommand : ClusterStateCmdlet
{
    /// <summary><para type="description">The state directory (or its state_metadata.json).</para></summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("StatePath")]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary><para type="description">Emit the metadata of the connected state.</para></summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() =>
    {
        string dir = ResolveStateDirectory(Path);
        using var snapshot = ClusterSnapshot.Open(dir);
        SessionDefaults.Set(dir);
        WriteVerbose($"Connected to '{dir}' ({snapshot}).");
        if (PassThru) WriteObject(ClusterMetadata.From(snapshot));
    });
}

/// <summary>
/// <para type="synopsis">Forgets the session default state set by Connect-ClusterState.</para>
/// <para type="description">After Disconnect-ClusterState, cmdlets without -StatePath fall back to $env:CLUSTERSTATE_PATH and the well-known locations.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Disconnect, "ClusterState")]
[OutputType(typeof(void))]
public sealed class DisconnectClusterStateCommand : ClusterStateCmdlet
{
    /// <inheritdoc />
    protected override void ProcessRecord() => SessionDefaults.Set(null);
}
