using System;
using System.Linq;
using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Writes the metrics of a cluster state in the Prometheus text format, for node_exporter's textfile collector.</para>
/// <para type="description">Export-ClusterMetric writes every metric of Get-ClusterMetric to -Path in the Prometheus text exposition format (HELP and TYPE lines, one sample per line). The file is written under a temporary name and renamed into place, so node_exporter's textfile collector (--collector.textfile.directory) never reads half a file; name it *.prom in that directory and schedule the command (cron, a systemd timer, or a loop with Wait-ClusterTask or Watch-ClusterState).</para>
/// </summary>
[Cmdlet(VerbsData.Export, "ClusterMetric", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(System.IO.FileInfo))]
public sealed class ExportClusterMetricCommand : StateFileWriterCmdlet
{
    /// <summary><para type="description">The file to write, e.g. /var/lib/node_exporter/textfile/clusterstate.prom.</para></summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";



    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() =>
    {
        string target = ResolveUserPath(Path);
        var snapshot = OpenSnapshot(StatePath);
        if (!ShouldProcess(target, $"Write the Prometheus metrics of '{snapshot.ClusterId}' (generation {snapshot.Generation})")) return;
        var samples = ClusterMetrics.Export(snapshot, target, DateTime.UtcNow);
        WriteVerbose($"Wrote {samples.Count} samples of {samples.Select(s => s.Name).Distinct().Count()} metrics to '{target}'.");
        WritePassThru(target);
    });
}
