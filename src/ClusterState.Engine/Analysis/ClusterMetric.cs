using System;
using System.Collections.Generic;
using System.Linq;

namespace ClusterState;

/// <summary>One sample of one metric family (Get-ClusterMetric).</summary>
public sealed class ClusterMetric
{
    /// <summary>The metric name, e.g. <c>clusterstate_tasks</c>.</summary>
    public string Name { get; set; } = "";

    /// <summary>Gauge or counter.</summary>
    public MetricType Type { get; set; }

    /// <summary>What the metric measures (the HELP line).</summary>
    public string Help { get; set; } = "";

    /// <summary>Label names and values, in order.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; set; } = new Dictionary<string, string>();

    /// <summary>The sample value.</summary>
    public double Value { get; set; }

    /// <summary>The labels as Prometheus writes them, e.g. <c>{status="pending",type="training"}</c>.</summary>
    public string LabelText => Labels.Count == 0 ? "" : "{" + string.Join(",", Labels.Select(l => $"{l.Key}=\"{Escape(l.Value)}\"")) + "}";

    /// <inheritdoc />
    public override string ToString() => Name + LabelText + " " + PrometheusText.Number(Value);

    internal static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
