using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using ClusterState.Query;

using ClusterState.Schema;

namespace ClusterState.Analysis;

/// <summary>Computes <see cref="ClusterStatus"/> over the columns (no row objects).</summary>
internal static class StatusSummary
{
    private const double GiB = 1024d * 1024 * 1024;

    public static ClusterStatus Compute(ClusterSnapshot snapshot)
    {
        var nodes = snapshot.Nodes;
        int active = 0, masters = 0, workers = 0, leechers = 0;
        long cpu = 0, gpus = 0, gpusAvailable = 0, memTotal = 0, memAvailable = 0;
        for (int i = 0; i < nodes.Count; i++)
        {
            if (Is(nodes.Status.GetBytes(i), "online"u8)) active++;
            var role = nodes.Role.GetBytes(i);
            if (Is(role, "master"u8)) masters++;
            else if (Is(role, "worker"u8)) workers++;
            else if (Is(role, "leecher"u8)) leechers++;
            cpu += nodes.CpuCount.Get(i) ?? 0;
            long g = nodes.GpuCount.Get(i) ?? 0;
            gpus += g;
            if (nodes.GpuAvailable.Get(i) == true) gpusAvailable += g;
            memTotal += nodes.MemoryTotal.Get(i) ?? 0;
            memAvailable += nodes.MemoryAvailable.Get(i) ?? 0;
        }

        var byStatus = CountByValue(snapshot.Tasks.Status, snapshot.Tasks.Count);

        var content = snapshot.Content;
        long size = 0;
        for (int i = 0; i < content.Count; i++) size += content.Size.Get(i) ?? 0;

        return new ClusterStatus
        {
            ClusterId = snapshot.ClusterId,
            MasterId = snapshot.MasterId,
            Generation = snapshot.Generation,
            UpdatedAt = snapshot.UpdatedAt,
            NodesTotal = nodes.Count,
            NodesActive = active,
            Masters = masters,
            Workers = workers,
            Leechers = leechers,
            CpuCoresTotal = cpu,
            GpusTotal = gpus,
            GpusAvailable = gpusAvailable,
            MemoryTotalGiB = Math.Round(memTotal / GiB, 2),
            MemoryAvailableGiB = Math.Round(memAvailable / GiB, 2),
            TasksTotal = snapshot.Tasks.Count,
            TasksByStatus = byStatus,
            ContentTotal = content.Count,
            ContentSizeGiB = Math.Round(size / GiB, 2),
        };
    }

    /// <summary>Counts each distinct value of a low-cardinality string column, comparing bytes.</summary>
    internal static Dictionary<string, int> CountByValue(StringColumn column, int count)
    {
        var keys = new List<byte[]>();
        var counts = new List<int>();
        for (int i = 0; i < count; i++)
        {
            var bytes = column.IsNull(i) ? default : column.GetBytes(i);
            int k = 0;
            while (k < keys.Count && !bytes.SequenceEqual(keys[k])) k++;
            if (k == keys.Count)
            {
                keys.Add(bytes.ToArray());
                counts.Add(0);
            }
            counts[k]++;
        }
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int k = 0; k < keys.Count; k++) result[Encoding.UTF8.GetString(keys[k])] = counts[k];
        return result;
    }

    private static bool Is(ReadOnlySpan<byte> value, ReadOnlySpan<byte> expected) => value.SequenceEqual(expected);
}
