using System;
using System.Linq;
using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Gets the Prometheus metrics of a cluster state as objects.</para>
/// <para type="description">Get-ClusterMetric computes the metrics Export-ClusterMetric writes, over the Arrow columns: per node (labels node, role, status) clusterstate_node_cpu_utilization_ratio, clusterstate_node_memory_utilization_ratio, clusterstate_node_disk_utilization_ratio, clusterstate_node_gpu_utilization_ratio and clusterstate_node_active_tasks; clusterstate_tasks by status and type; clusterstate_content_items, clusterstate_content_size_bytes and clusterstate_content_under_replicated_items; clusterstate_state_generation, clusterstate_state_nodes, clusterstate_state_updated_timestamp_seconds, clusterstate_state_update_age_seconds and clusterstate_snapshot_size_bytes. Each object is one sample: Name, Type, Help, Labels and Value. -Name filters by metric name (wildcards allowed).</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "ClusterMetric")]
[OutputType(typeof(ClusterMetric))]
public sealed class GetClusterMetricCommand : StateCmdlet
{
    /// <summary><para type="description">Metric names to keep; wildcards are allowed (e.g. clusterstate_node_*).</para></summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() =>
    {
        var patterns = Name?.Select(n => new WildcardPattern(n, WildcardOptions.IgnoreCase)).ToArray();
        var samples = ClusterMetrics.Collect(Snapshot, DateTime.UtcNow)
            .Where(m => patterns is null || patterns.Any(p => p.IsMatch(m.Name)));
        WriteObject(samples, enumerateCollection: true);
    });
}

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
