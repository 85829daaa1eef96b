using System.Diagnostics;
using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Stops an Arrow Flight server started by Start-ClusterStateServer.</para>
/// <para type="description">Stop-ClusterStateServer ends the server process (the objects of Start-ClusterStateServer bind by ProcessId). Commits the server was making are complete or not made at all (the state directory's commit rules); clients connected to it get ServerUnavailable until a server answers again.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "ClusterStateServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
public sealed class StopClusterStateServerCommand : ClusterStateCmdlet
{
    /// <summary><para type="description">The server's process id.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    public int ProcessId { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() =>
    {
        Process process;
        try
        {
            process = ServerHost.Find(ProcessId);
        }
        catch (ClusterStateException e)
        {
            // One process that is not a server is this item's failure, not the pipeline's.
            WriteError(ToErrorRecord(e));
            return;
        }
        using (process)
        {
            if (!ShouldProcess($"process {ProcessId}", "Stop the Arrow Flight server")) return;
            ServerHost.Stop(process);
        }
    });
}
