using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Forgets the session default state set by Connect-ClusterState.</para>
/// <para type="description">After Disconnect-ClusterState, cmdlets without -StatePath fall back to $env:CLUSTERSTATE_PATH and the well-known locations. A server connection is closed.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Disconnect, "ClusterState")]
[OutputType(typeof(void))]
public sealed class DisconnectClusterStateCommand : ClusterStateCmdlet
{
    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (SessionDefaults.Get() is { } current && StateSource.IsRemoteLocation(current)) RemoteState.Disconnect(current);
        SessionDefaults.Set(null);
    }
}
