using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json.Serialization;
using System.Threading.Tasks;
using Parquet;
using Parquet.Serialization;
using Parquet.Serialization.Attributes;
using ClusterState.Schema;

namespace ClusterState.Persistence;

/// <summary>
/// The flat analytics layout: one Parquet file per entity (nodes.parquet, tasks.parquet,
/// content.parquet), one row per item, resources as columns, lists as Parquet LIST columns,
/// timestamps as TIMESTAMP(MILLIS, UTC), written in row groups so query engines (DuckDB, Spark,
/// pandas) scan it in parallel. Rows are made one row group at a time from the columns; the
/// whole state never exists as objects at once.
/// </summary>
internal static class ParquetFlatExport
{
    public const int RowGroupSize = 65_536;

    public static void WriteNodes(ClusterSnapshot s, Stream stream, Action<int>? step) =>
        Write(stream, s.Nodes.Count, step, i =>
        {
            var c = s.Nodes;
            return new NodeRow
            {
                Id = c.Id.Get(i) ?? "", Role = c.Role.Get(i), Status = c.Status.Get(i),
                Peers = new List<string>(c.Peers.Get(i)), Capabilities = new List<string>(c.Capabilities.Get(i)),
                CpuCount = c.CpuCount.GetInt32(i), CpuLoad = c.CpuLoad.Get(i), GpuCount = c.GpuCount.GetInt32(i), GpuAvailable = c.GpuAvailable.Get(i),
                MemoryTotal = c.MemoryTotal.Get(i), MemoryAvailable = c.MemoryAvailable.Get(i), DiskTotal = c.DiskTotal.Get(i), DiskAvailable = c.DiskAvailable.Get(i),
            };
        });

    public static void WriteTasks(ClusterSnapshot s, Stream stream, Action<int>? step) =>
        Write(stream, s.Tasks.Count, step, i =>
        {
            var c = s.Tasks;
            bool r = c.HasResources(i);
            return new TaskRow
            {
                Id = c.Id.Get(i) ?? "", Type = c.Type.Get(i), Status = c.Status.Get(i),
                CreatedAt = c.CreatedAt.Get(i), UpdatedAt = c.UpdatedAt.Get(i), StartedAt = c.StartedAt.Get(i), CompletedAt = c.CompletedAt.Get(i),
                AssignedTo = c.AssignedTo.Get(i),
                CpuCores = r ? c.CpuCores.GetInt32(i) : null, GpuCores = r ? c.GpuCores.GetInt32(i) : null, MemoryMb = r ? c.MemoryMb.GetInt32(i) : null,
                InputCid = c.InputCid.Get(i), OutputCid = c.OutputCid.Get(i),
                InputCids = new List<string>(c.InputCids.Get(i)), OutputCids = new List<string>(c.OutputCids.Get(i)),
            };
        });

    public static void WriteContent(ClusterSnapshot s, Stream stream, Action<int>? step) =>
        Write(stream, s.Content.Count, step, i =>
        {
            var c = s.Content;
            return new ContentRow
            {
                Cid = c.Cid.Get(i) ?? "", Size = c.Size.Get(i), CreatedAt = c.CreatedAt.Get(i),
                Providers = new List<string>(c.Providers.Get(i)), Pinned = c.Pinned.Get(i), Replication = c.Replication.GetInt32(i),
            };
        });

    private static void Write<T>(Stream stream, int count, Action<int>? step, Func<int, T> row)
    {
        var options = new ParquetOptions { RowGroupSize = RowGroupSize, CompressionMethod = CompressionMethod.Snappy };
        int start = 0;
        do
        {
            int n = Math.Min(RowGroupSize, count - start);
            var rows = new T[n];
            for (int i = 0; i < n; i++) rows[i] = row(start + i);
            options.Append = start > 0;
            // Parquet.Net's API is asynchronous; the export runs on the caller's thread, one row group at a time.
            Task.Run(() => ParquetSerializer.SerializeAsync(rows, stream, options)).GetAwaiter().GetResult();
            start += n;
            step?.Invoke(n);
        }
        while (start < count);
    }

#pragma warning disable CA1812, CA1002 // instantiated through Write<T>; the serializer needs List<T>
    private sealed class NodeRow
    {
        [JsonPropertyName("id")] public string Id { get; set; } = "";
        [JsonPropertyName("role")] public string? Role { get; set; }
        [JsonPropertyName("status")] public string? Status { get; set; }
        [JsonPropertyName("peers")] public List<string> Peers { get; set; } = new();
        [JsonPropertyName("capabilities")] public List<string> Capabilities { get; set; } = new();
        [JsonPropertyName("cpu_count")] public int? CpuCount { get; set; }
        [JsonPropertyName("cpu_load")] public float? CpuLoad { get; set; }
        [JsonPropertyName("gpu_count")] public int? GpuCount { get; set; }
        [JsonPropertyName("gpu_available")] public bool? GpuAvailable { get; set; }
        [JsonPropertyName("memory_total")] public long? MemoryTotal { get; set; }
        [JsonPropertyName("memory_available")] public long? MemoryAvailable { get; set; }
        [JsonPropertyName("disk_total")] public long? DiskTotal { get; set; }
        [JsonPropertyName("disk_available")] public long? DiskAvailable { get; set; }
    }

    private sealed class TaskRow
    {
        [JsonPropertyName("id")] public string Id { get; set; } = "";
        [JsonPropertyName("type")] public string? Type { get; set; }
        [JsonPropertyName("status")] public string? Status { get; set; }
        [JsonPropertyName("created_at"), ParquetTimestamp(ParquetTimestampResolution.Milliseconds)] public DateTime? CreatedAt { get; set; }
        [JsonPropertyName("updated_at"), ParquetTimestamp(ParquetTimestampResolution.Milliseconds)] public DateTime? UpdatedAt { get; set; }
        [JsonPropertyName("started_at"), ParquetTimestamp(ParquetTimestampResolution.Milliseconds)] public DateTime? StartedAt { get; set; }
        [JsonPropertyName("completed_at"), ParquetTimestamp(ParquetTimestampResolution.Milliseconds)] public DateTime? CompletedAt { get; set; }
        [JsonPropertyName("assigned_to")] public string? AssignedTo { get; set; }
        [JsonPropertyName("cpu_cores")] public int? CpuCores { get; set; }
        [JsonPropertyName("gpu_cores")] public int? GpuCores { get; set; }
        [JsonPropertyName("memory_mb")] public int? MemoryMb { get; set; }
        [JsonPropertyName("input_cid")] public string? InputCid { get; set; }
        [JsonPropertyName("output_cid")] public string? OutputCid { get; set; }
        [JsonPropertyName("input_cids")] public List<string> InputCids { get; set; } = new();
        [JsonPropertyName("output_cids")] public List<string> OutputCids { get; set; } = new();
    }

    private sealed class ContentRow
    {
        [JsonPropertyName("cid")] public string Cid { get; set; } = "";
        [JsonPropertyName("size")] public long? Size { get; set; }
        [JsonPropertyName("created_at"), ParquetTimestamp(ParquetTimestampResolution.Milliseconds)] public DateTime? CreatedAt { get; set; }
        [JsonPropertyName("providers")] public List<string> Providers { get; set; } = new();
        [JsonPropertyName("pinned")] public bool? Pinned { get; set; }
        [JsonPropertyName("replication")] public int? Replication { get; set; }
    }
#pragma warning restore CA1812, CA1002
}
