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
    // The columns are the field tables' (Schema/NodeFields, TaskFields, ContentFields) in view
    // order, a struct's fields flattened in its place, each bound once to a typed column reader;
    // over the state as one batch (a commit log folded in, see SnapshotData.Flat).
    public static string[] NodeHeader => NodeFields.Table.CsvHeader();
    public static string[] TaskHeader => TaskFields.Table.CsvHeader();
    public static string[] ContentHeader => ContentFields.Table.CsvHeader();

    public static void WriteNodes(ClusterSnapshot s, TextWriter w, Action? step) => Write(s.Data.Flat.Nodes, NodeFields.Table, w, step);

    public static void WriteTasks(ClusterSnapshot s, TextWriter w, Action? step) => Write(s.Data.Flat.Tasks, TaskFields.Table, w, step);

    public static void WriteContent(ClusterSnapshot s, TextWriter w, Action? step) => Write(s.Data.Flat.Content, ContentFields.Table, w, step);

    private static void Write<T>(EntityColumns c, EntityFields<T> table, TextWriter w, Action? step)
        where T : class
    {
        WriteRow(w, table.CsvHeader());
        var columns = table.BindCsv(new ColumnScope(c.Items, c.Items.Offset + c.Start, c.Count, c.Name));
        var values = new string?[columns.Length];
        for (int i = 0; i < c.Count; i++)
        {
            for (int k = 0; k < columns.Length; k++) values[k] = columns[k](i);
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
}
