using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using ClusterState.Analysis;

namespace ClusterState;

/// <summary>
/// The metrics of a state, computed over the columns: per-node utilization and active tasks,
/// tasks by status and type, content counts and bytes, and facts about the state itself. Names
/// follow the Prometheus conventions (base units in the name, ratios as <c>_ratio</c>,
/// <c>_total</c> only on counters).
/// </summary>
public static class ClusterMetrics
{
    private const string Prefix = "clusterstate_";

    private static readonly (string Suffix, string Help)[] NodeRatios =
    {
        ("node_cpu_utilization_ratio", "CPU load of the node (cpu_load / 100)."),
        ("node_memory_utilization_ratio", "Share of the node's memory in use (1 - memory_available / memory_total)."),
        ("node_disk_utilization_ratio", "Share of the node's disk in use (1 - disk_available / disk_total)."),
        ("node_gpu_utilization_ratio", "GPU cores required by the node's active tasks over its GPUs (at most 1)."),
    };

    /// <summary>Every sample of the state, grouped by metric in a stable order.</summary>
    public static IReadOnlyList<ClusterMetric> Collect(ClusterSnapshot snapshot, DateTime now)
    {
        var samples = new List<ClusterMetric>();
        void Add(string name, MetricType type, string help, double value, params (string Name, string Value)[] labels) =>
            samples.Add(new ClusterMetric
            {
                Name = Prefix + name, Type = type, Help = help, Value = value,
                Labels = labels.ToDictionary(l => l.Name, l => l.Value, StringComparer.Ordinal),
            });

        var nodes = ClusterAnalysis.GetUtilization(snapshot, new NodeQuery()).Items.ToList();
        static (string, string)[] NodeLabels(NodeUtilization u) => new[] { ("node", u.NodeId), ("role", u.Role ?? ""), ("status", u.Status ?? "") };
        for (int k = 0; k < NodeRatios.Length; k++)
        {
            foreach (var u in nodes)
            {
                double? value = k switch { 0 => u.CpuUtilization, 1 => u.MemoryUtilization, 2 => u.DiskUtilization, _ => u.GpuUtilization };
                if (value is double v) Add(NodeRatios[k].Suffix, MetricType.Gauge, NodeRatios[k].Help, v, NodeLabels(u));
            }
        }
        foreach (var u in nodes) Add("node_active_tasks", MetricType.Gauge, "Tasks assigned to or running on the node.", u.ActiveTasks, NodeLabels(u));

        var byStatusType = TaskStatistics.CountByStatusAndType(snapshot).ToDictionary(e => (e.Key.Status ?? "", e.Key.Type ?? ""), e => e.Value);
        foreach (var ((status, type), count) in byStatusType.OrderBy(e => e.Key.Item1, StringComparer.Ordinal).ThenBy(e => e.Key.Item2, StringComparer.Ordinal))
            Add("tasks", MetricType.Gauge, "Tasks in the state by status and type.", count, ("status", status), ("type", type));

        var content = snapshot.Content;
        int under = 0;
        foreach (int i in content.Rows)
        {
            if (ContentAvailability.Entry(content, i).UnderReplicated) under++;
        }
        Add("content_items", MetricType.Gauge, "Content items (CIDs) in the state.", content.Count);
        Add("content_size_bytes", MetricType.Gauge, "Total size of the content items.", content.Sum(content.Size));
        Add("content_under_replicated_items", MetricType.Gauge, "Content items with fewer providers than their replication target.", under);

        Add("state_generation", MetricType.Gauge, "Commit generation of the state (increments on every commit).", snapshot.Generation);
        Add("state_nodes", MetricType.Gauge, "Nodes in the state.", snapshot.NodeCount);
        if (snapshot.UpdatedAt is DateTime updated)
        {
            Add("state_updated_timestamp_seconds", MetricType.Gauge, "When the state was last updated (Unix time).", new DateTimeOffset(updated).ToUnixTimeMilliseconds() / 1000.0);
            Add("state_update_age_seconds", MetricType.Gauge, "Seconds since the state was last updated, when the metrics were collected.", Math.Max(0, (now - updated).TotalSeconds));
        }
        Add("snapshot_size_bytes", MetricType.Gauge, "Size of the current Arrow snapshot file.", snapshot.SizeBytes);
        return samples;
    }

    /// <summary>Writes the samples in the Prometheus text exposition format (version 0.0.4).</summary>
    public static void WriteText(IEnumerable<ClusterMetric> samples, TextWriter writer)
    {
        foreach (var family in samples.GroupBy(s => s.Name, StringComparer.Ordinal))
        {
            var first = family.First();
            writer.Write($"# HELP {first.Name} {first.Help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}\n");
            writer.Write($"# TYPE {first.Name} {(first.Type == MetricType.Counter ? "counter" : "gauge")}\n");
            foreach (var s in family) writer.Write($"{s.Name}{s.LabelText} {PrometheusText.Number(s.Value)}\n");
        }
    }

    /// <summary>
    /// Writes the metrics of a state to <paramref name="path"/> atomically (temporary file and
    /// rename), as node_exporter's textfile collector wants: it never reads half a file.
    /// </summary>
    public static IReadOnlyList<ClusterMetric> Export(ClusterSnapshot snapshot, string path, DateTime now)
    {
        var samples = Collect(snapshot, now);
        Storage.AtomicFile.Write(Path.GetFullPath(path), stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
            WriteText(samples, writer);
        }, durable: false, "metrics file");
        return samples;
    }
}
