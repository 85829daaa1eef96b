using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using ClusterState.Schema;

namespace ClusterState.Persistence;

/// <summary>
/// One CSV file per entity (nodes.csv, tasks.csv, content.csv): one row per item, resources as
/// columns, schema field names as headers, lists joined with ';', timestamps ISO-8601 UTC,
/// nulls empty. RFC 4180 quoting.
/// </summary>
internal static class CsvExport
{
    public static readonly string[] NodeHeader = { "id", "role", "status", "peers", "capabilities", "cpu_count", "cpu_load", "gpu_count", "gpu_available", "memory_total", "memory_available", "disk_total", "disk_available" };
    public static readonly string[] TaskHeader = { "id", "type", "status", "created_at", "updated_at", "started_at", "completed_at", "assigned_to", "cpu_cores", "gpu_cores", "memory_mb", "input_cid", "output_cid", "input_cids", "output_cids" };
    public static readonly string[] ContentHeader = { "cid", "size", "created_at", "providers", "pinned", "replication" };

    public static void WriteNodes(ClusterSnapshot s, TextWriter w, Action? step)
    {
        WriteRow(w, NodeHeader);
        var c = s.Nodes;
        var values = new string?[NodeHeader.Length];
        for (int i = 0; i < c.Count; i++)
        {
            values[0] = c.Id.Get(i); values[1] = c.Role.Get(i); values[2] = c.Status.Get(i);
            values[3] = Join(c.Peers.Get(i)); values[4] = Join(c.Capabilities.Get(i));
            values[5] = Num(c.CpuCount.Get(i)); values[6] = c.CpuLoad.Get(i)?.ToString("R", CultureInfo.InvariantCulture);
            values[7] = Num(c.GpuCount.Get(i)); values[8] = Bool(c.GpuAvailable.Get(i));
            values[9] = Num(c.MemoryTotal.Get(i)); values[10] = Num(c.MemoryAvailable.Get(i));
            values[11] = Num(c.DiskTotal.Get(i)); values[12] = Num(c.DiskAvailable.Get(i));
            WriteRow(w, values);
            step?.Invoke();
        }
    }

    public static void WriteTasks(ClusterSnapshot s, TextWriter w, Action? step)
    {
        WriteRow(w, TaskHeader);
        var c = s.Tasks;
        var values = new string?[TaskHeader.Length];
        for (int i = 0; i < c.Count; i++)
        {
            values[0] = c.Id.Get(i); values[1] = c.Type.Get(i); values[2] = c.Status.Get(i);
            values[3] = Time(c.CreatedAt.Get(i)); values[4] = Time(c.UpdatedAt.Get(i));
            values[5] = Time(c.StartedAt.Get(i)); values[6] = Time(c.CompletedAt.Get(i));
            values[7] = c.AssignedTo.Get(i);
            bool r = c.HasResources(i);
            values[8] = r ? Num(c.CpuCores.Get(i)) : null; values[9] = r ? Num(c.GpuCores.Get(i)) : null; values[10] = r ? Num(c.MemoryMb.Get(i)) : null;
            values[11] = c.InputCid.Get(i); values[12] = c.OutputCid.Get(i);
            values[13] = Join(c.InputCids.Get(i)); values[14] = Join(c.OutputCids.Get(i));
            WriteRow(w, values);
            step?.Invoke();
        }
    }

    public static void WriteContent(ClusterSnapshot s, TextWriter w, Action? step)
    {
        WriteRow(w, ContentHeader);
        var c = s.Content;
        var values = new string?[ContentHeader.Length];
        for (int i = 0; i < c.Count; i++)
        {
            values[0] = c.Cid.Get(i); values[1] = Num(c.Size.Get(i)); values[2] = Time(c.CreatedAt.Get(i));
            values[3] = Join(c.Providers.Get(i)); values[4] = Bool(c.Pinned.Get(i)); values[5] = Num(c.Replication.Get(i));
            WriteRow(w, values);
            step?.Invoke();
        }
    }

    private static void WriteRow(TextWriter w, string?[] values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (i > 0) w.Write(',');
            string? v = values[i];
            if (v is null) continue;
            if (v.AsSpan().IndexOfAny(",\"\r\n") >= 0)
            {
                w.Write('"');
                w.Write(v.Replace("\"", "\"\"", StringComparison.Ordinal));
                w.Write('"');
            }
            else w.Write(v);
        }
        w.Write("\r\n");
    }

    private static string? Num(long? v) => v?.ToString(CultureInfo.InvariantCulture);

    private static string? Bool(bool? v) => v switch { true => "true", false => "false", null => null };

    private static string? Time(DateTime? v) => v is DateTime d ? StateExport.FormatTime(d) : null;

    private static string Join(string[] values) => string.Join(';', values);
}
