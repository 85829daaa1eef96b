using System;
using System.Collections.Generic;
using System.Buffers.Binary;
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
        foreach (int i in nodes.Rows)
        {
            if (Is(nodes.Status.GetBytes(i), Vocabularies.OnlineUtf8)) active++;
            var role = nodes.Role.GetBytes(i);
            if (Is(role, Vocabularies.MasterUtf8)) masters++;
            else if (Is(role, Vocabularies.WorkerUtf8)) workers++;
            else if (Is(role, Vocabularies.LeecherUtf8)) leechers++;
            cpu += nodes.CpuCount.Get(i) ?? 0;
            long g = nodes.GpuCount.Get(i) ?? 0;
            gpus += g;
            if (nodes.GpuAvailable.Get(i) == true) gpusAvailable += g;
            memTotal += nodes.MemoryTotal.Get(i) ?? 0;
            memAvailable += nodes.MemoryAvailable.Get(i) ?? 0;
        }

        var byStatus = CountByValue(snapshot.Tasks, snapshot.Tasks.Status);

        var content = snapshot.Content;
        long size = content.Sum(content.Size);

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

    /// <summary>
    /// Counts each distinct value of a low-cardinality string column, comparing bytes (a null
    /// counts as the empty string). Values of up to eight bytes — statuses, roles — are told
    /// apart by their length and one 64-bit load; longer ones by comparing bytes.
    /// </summary>
    internal static Dictionary<string, int> CountByValue(EntityColumns entity, StringColumn column)
    {
        var result = CountBaseValues(column, entity.BaseCount);
        if (entity.Merge is not { } merge) return result;
        // The rows a commit log hid leave their values' counts, its rows that show add theirs.
        void Add(int row, int delta)
        {
            string key = column.IsNull(row) ? "" : Encoding.UTF8.GetString(column.GetBytes(row));
            int n = result.GetValueOrDefault(key) + delta;
            if (n == 0) result.Remove(key); else result[key] = n;
        }
        foreach (int row in merge.Masked) Add(row, -1);
        for (int d = 0; d < merge.Delta.Length; d++) Add(entity.BaseCount + d, +1);
        return result;
    }

    /// <summary>The counts of base rows [0, count), from the raw buffers.</summary>
    private static Dictionary<string, int> CountBaseValues(StringColumn column, int count)
    {
        var keys = new List<byte[]>();
        var counts = new List<int>();
        int Slot(ReadOnlySpan<byte> bytes)
        {
            int k = 0;
            while (k < keys.Count && !bytes.SequenceEqual(keys[k])) k++;
            if (k == keys.Count)
            {
                keys.Add(bytes.ToArray());
                counts.Add(0);
            }
            return k;
        }
        const int MaxWords = 16;
        var low = new ulong[MaxWords];
        var high = new ulong[MaxWords];
        var lengths = new int[MaxWords];
        var slots = new int[MaxWords];
        int known = 0;
        bool present = column.TryGetBuffers(out var offsets, out var values, out int b);
        bool nulls = column.HasNulls;
        int wide = values.Length - 16;
        for (int i = 0; i < count; i++)
        {
            int start = present ? offsets[b + i] : 0;
            int length = present ? offsets[b + i + 1] - start : 0;
            if (!present || (nulls && column.IsNull(i))) length = 0;
            if ((uint)length <= 16 && (length == 0 || (uint)start <= (uint)wide))
            {
                // Up to sixteen bytes identify a value exactly as two masked words plus its length.
                ulong first = 0, second = 0;
                if (length > 0)
                {
                    first = BinaryPrimitives.ReadUInt64LittleEndian(values.Slice(start, 8)) & Mask(length);
                    if (length > 8) second = BinaryPrimitives.ReadUInt64LittleEndian(values.Slice(start + 8, 8)) & Mask(length - 8);
                }
                int k = 0;
                while (k < known && (low[k] != first || high[k] != second || lengths[k] != length)) k++;
                if (k == known && known < MaxWords)
                {
                    low[k] = first;
                    high[k] = second;
                    lengths[k] = length;
                    slots[k] = Slot(length == 0 ? default : values.Slice(start, length));
                    known++;
                }
                if (k < known)
                {
                    counts[slots[k]]++;
                    continue;
                }
            }
            counts[Slot(length == 0 ? default : values.Slice(start, length))]++;
        }
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int k = 0; k < keys.Count; k++) result[Encoding.UTF8.GetString(keys[k])] = counts[k];
        return result;
    }

    // The low min(n, 8) bytes of a little-endian word.
    private static ulong Mask(int n) => n >= 8 ? ulong.MaxValue : (1UL << (8 * n)) - 1;

    private static bool Is(ReadOnlySpan<byte> value, ReadOnlySpan<byte> expected) => value.SequenceEqual(expected);
}
