using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Summarises a cluster state: nodes by role and status, CPU, GPU and memory totals, tasks by status, content.</para>
/// <para type="description">Get-ClusterStatus computes the status summary of the seed's get_cluster_status_summary over the Arrow columns, without creating an object per row. Memory and content sizes are in GiB with two decimals.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "ClusterStatus")]
[OutputType(typeof(ClusterStatus))]
public sealed class GetClusterStatusCommand : StateCmdlet
{
    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() => WriteObject(ClusterAnalysis.GetStatus(Snapshot)));
}
