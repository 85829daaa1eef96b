using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.Json;
using ClusterState.Schema;
using N = ClusterState.ClusterSchema.Names;

namespace ClusterState;

/// <summary>
/// Exports a snapshot to a file. The target is written under a temporary name and renamed into
/// place, so a reader never sees a half-written export.
/// </summary>
public static class StateExport
{
    /// <summary>Writes <paramref name="snapshot"/> to <paramref name="path"/>.</summary>
    /// <param name="snapshot">The snapshot to export.</param>
    /// <param name="path">Target file.</param>
    /// <param name="format">Output format.</param>
    /// <param name="overwrite">Replace an existing file.</param>
    /// <param name="progress">Called with (done, total) rows now and then (columns for <see cref="ExportFormat.ParquetNested"/>).</param>
    /// <returns>The files written.</returns>
    public static IReadOnlyList<string> Write(ClusterSnapshot snapshot, string path, ExportFormat format, bool overwrite, Action<long, long>? progress = null)
    {
        path = Path.GetFullPath(path);
        if (format is ExportFormat.Json or ExportFormat.Arrow or ExportFormat.ParquetNested)
        {
            WriteFile(path, overwrite, stream =>
            {
                if (format == ExportFormat.Arrow) stream.Write(snapshot.FileBytes.Span);
                else if (format == ExportFormat.ParquetNested) Checkpoints.WriteNested(snapshot, stream, (done, total) => progress?.Invoke(done, total));
                else WriteJson(snapshot, stream, progress);
            });
            return new[] { path };
        }

        // Csv and Parquet: -Path is a directory that receives one file per entity.
        string ext = format == ExportFormat.Csv ? ".csv" : ".parquet";
        var files = new[] { Path.Combine(path, "nodes" + ext), Path.Combine(path, "tasks" + ext), Path.Combine(path, "content" + ext) };
        if (File.Exists(path))
            throw new ClusterStateException(ErrorIds.InvalidArgument, ClusterStateErrorKind.InvalidArgument,
                $"'{path}' is a file; a {format} export writes a directory of files (nodes, tasks, content).", path);
        foreach (var f in files) RefuseExisting(f, overwrite);
        CreateDirectory(path);
        long total = (long)snapshot.NodeCount + snapshot.TaskCount + snapshot.ContentCount, done = 0;
        void Step()
        {
            if (++done % 50_000 == 0) progress?.Invoke(done, total);
        }
        void Steps(int rows)
        {
            done += rows;
            progress?.Invoke(done, total);
        }
        if (format == ExportFormat.Csv)
        {
            WriteText(files[0], overwrite: true, w => Persistence.CsvExport.WriteNodes(snapshot, w, Step));
            WriteText(files[1], overwrite: true, w => Persistence.CsvExport.WriteTasks(snapshot, w, Step));
            WriteText(files[2], overwrite: true, w => Persistence.CsvExport.WriteContent(snapshot, w, Step));
        }
        else
        {
            WriteFile(files[0], overwrite: true, stream => Persistence.ParquetColumns.WriteFlat(snapshot, ClusterSchema.Names.Nodes, stream, Steps));
            WriteFile(files[1], overwrite: true, stream => Persistence.ParquetColumns.WriteFlat(snapshot, ClusterSchema.Names.Tasks, stream, Steps));
            WriteFile(files[2], overwrite: true, stream => Persistence.ParquetColumns.WriteFlat(snapshot, ClusterSchema.Names.Content, stream, Steps));
        }
        return files;
    }

    private static void WriteText(string path, bool overwrite, Action<TextWriter> write) => WriteFile(path, overwrite, stream =>
    {
        using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
        write(writer);
    });

    /// <summary>Writes an export file atomically (see AtomicFile), refusing to replace one unless asked.</summary>
    internal static void WriteFile(string path, bool overwrite, Action<Stream> write)
    {
        RefuseExisting(path, overwrite);
        Storage.AtomicFile.Write(path, write, durable: true, "export");
    }

    /// <summary>Throws ExportTargetExists when <paramref name="path"/> exists and may not be replaced.</summary>
    internal static void RefuseExisting(string path, bool overwrite)
    {
        if (!overwrite && File.Exists(path))
            throw new ClusterStateException(ErrorIds.ExportTargetExists, ClusterStateErrorKind.AlreadyExists,
                $"'{path}' already exists; replacing it must be asked for.", path);
    }

    private static void CreateDirectory(string path)
    {
        try
        {
            Directory.CreateDirectory(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ClusterStateException(ErrorIds.WriteFailed, ClusterStateErrorKind.WriteError,
                $"The export directory '{path}' cannot be created: {e.Message}", path, e);
        }
    }

    /// <summary>Streams the state as one JSON document (field names as in the schema).</summary>
    public static void WriteJson(ClusterSnapshot snapshot, Stream stream, Action<long, long>? progress = null)
    {
        long total = (long)snapshot.NodeCount + snapshot.TaskCount + snapshot.ContentCount;
        long done = 0;
        void Step()
        {
            if (++done % 50_000 == 0) progress?.Invoke(done, total);
        }

        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false, SkipValidation = false });
        w.WriteStartObject();
        w.WriteString(N.ClusterId, snapshot.ClusterId);
        w.WriteString(N.MasterId, snapshot.MasterId);
        WriteTime(w, N.UpdatedAt, snapshot.UpdatedAt);
        w.WriteNumber(ClusterSchema.SchemaVersionKey, snapshot.SchemaVersion);
        w.WriteNumber(ClusterSchema.GenerationKey, snapshot.Generation);

        w.WriteStartArray(N.Nodes);
        var nodes = snapshot.Data.Flat.Nodes; // one batch: a commit log folded in
        for (int i = 0; i < nodes.Count; i++)
        {
            var n = nodes.Read(i);
            w.WriteStartObject();
            NodeFields.Table.WriteJson(w, n);
            w.WriteEndObject();
            Step();
        }
        w.WriteEndArray();

        w.WriteStartArray(N.Tasks);
        var tasks = snapshot.Data.Flat.Tasks;
        for (int i = 0; i < tasks.Count; i++)
        {
            var t = tasks.Read(i);
            w.WriteStartObject();
            TaskFields.Table.WriteJson(w, t);
            w.WriteEndObject();
            Step();
            if (w.BytesPending > 1 << 20) w.Flush();
        }
        w.WriteEndArray();

        w.WriteStartArray(N.Content);
        var content = snapshot.Data.Flat.Content;
        for (int i = 0; i < content.Count; i++)
        {
            var c = content.Read(i);
            w.WriteStartObject();
            ContentFields.Table.WriteJson(w, c);
            w.WriteEndObject();
            Step();
            if (w.BytesPending > 1 << 20) w.Flush();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
    }

    /// <summary>ISO-8601 UTC with milliseconds, as the timestamps are stored.</summary>
    public static string FormatTime(DateTime value) => FieldCodecs.FormatTime(value);

    private static void WriteTime(Utf8JsonWriter w, string name, DateTime? value)
    {
        if (value is DateTime d) w.WriteString(name, FormatTime(d)); else w.WriteNull(name);
    }
}
