using System;

namespace ClusterState;

/// <summary>Options of <see cref="ClusterReport"/>.</summary>
public sealed class ClusterReportOptions
{
    /// <summary>At most this many nodes in the topology picture and the utilization chart (the busiest first).</summary>
    public int MaxNodes { get; set; } = 150;

    /// <summary>Lay the topology out with Graphviz <c>dot</c> when it is installed (else a built-in layout).</summary>
    public bool UseGraphviz { get; set; } = true;

    /// <summary>The time shown as "generated at" (UTC).</summary>
    public DateTime? Now { get; set; }

    /// <summary>Called with (step, steps) as the report is built.</summary>
    public Action<int, int>? Progress { get; set; }
}
