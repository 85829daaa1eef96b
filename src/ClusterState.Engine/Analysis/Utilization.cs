using System;

namespace ClusterState.Analysis;

/// <summary>SPEC.md §3 utilization of a node.</summary>
internal static class Utilization
{
    public static NodeUtilization Compute(ClusterSnapshot snapshot, int row)
    {
        var c = snapshot.Nodes;
        var agg = NodeTaskAggregates.Of(snapshot);
        double? cpu = c.CpuLoad.Get(row) is float load ? load / 100.0 : null;
        double? memory = Fraction(c.MemoryAvailable.Get(row), c.MemoryTotal.Get(row));
        double? disk = Fraction(c.DiskAvailable.Get(row), c.DiskTotal.Get(row));
        long gpus = c.GpuCount.Get(row) ?? 0;
        double? gpu = gpus > 0 ? Math.Min(1.0, agg.ActiveGpuCores[row] / (double)gpus) : null;
        int completed = agg.Completed[row], failed = agg.Failed[row];
        double sum = 0;
        int parts = 0;
        foreach (var u in new[] { cpu, memory, disk, gpu })
        {
            if (u is double v)
            {
                sum += v;
                parts++;
            }
        }
        return new NodeUtilization
        {
            NodeId = c.Id.Get(row) ?? "",
            Role = c.Role.Get(row),
            Status = c.Status.Get(row),
            CpuUtilization = cpu,
            MemoryUtilization = memory,
            DiskUtilization = disk,
            GpuUtilization = gpu,
            ActiveTasks = agg.Active[row],
            CompletedTasks = completed,
            FailedTasks = failed,
            SuccessRate = completed + failed > 0 ? completed / (double)(completed + failed) : null,
            LoadIndex = parts > 0 ? sum / parts : null,
        };
    }

    /// <summary>1 − available/total; 0 when the total is 0; null when either is unknown.</summary>
    private static double? Fraction(long? available, long? total) => (available, total) switch
    {
        (_, 0) => 0,
        (long a, long t) => 1.0 - a / (double)t,
        _ => null,
    };
}
