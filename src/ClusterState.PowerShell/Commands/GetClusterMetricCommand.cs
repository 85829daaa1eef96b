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
