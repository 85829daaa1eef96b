namespace ClusterState;

/// <summary>Prometheus metric types used by the exporter.</summary>
public enum MetricType
{
    /// <summary>A value that can go up and down.</summary>
    Gauge,
    /// <summary>A value that only increases (name ends in <c>_total</c>).</summary>
    Counter,
}
