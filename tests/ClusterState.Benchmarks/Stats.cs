using System;
using System.Collections.Generic;
using System.Linq;

namespace ClusterState.Benchmarks;

/// <summary>The percentiles and the summary every direct measurement reports (the JSON build.ps1 renders).</summary>
public static class Stats
{
    /// <summary>The nearest-rank percentile; NaN for no values.</summary>
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0) return double.NaN;
        var sorted = values.OrderBy(v => v).ToList();
        return sorted[(int)Math.Ceiling(p / 100 * sorted.Count) - 1];
    }

    /// <summary>Count, median, p99, min and max in ms (zeros for no values: JSON has no NaN).</summary>
    public static object Summary(IReadOnlyList<double> values) => new
    {
        Count = values.Count,
        MedianMs = values.Count == 0 ? 0 : Percentile(values, 50),
        P99Ms = values.Count == 0 ? 0 : Percentile(values, 99),
        MinMs = values.Count == 0 ? 0 : values.Min(),
        MaxMs = values.Count == 0 ? 0 : values.Max(),
    };
}
