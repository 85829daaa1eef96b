using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using N = ClusterState.ClusterSchema.Names;

namespace ClusterState;

/// <summary>
/// Creates a state directory from an export: a JSON document with the schema's field names or a
/// Parquet checkpoint (both written in the current schema version), or an Arrow IPC file (copied byte for byte, so its
/// version and the fields of any writer are kept). The new state is written like any other
/// (complete snapshot, then metadata), so a failed import leaves no half state behind.
/// </summary>
public static class StateImport
{
    /// <summary>Imports <paramref name="file"/> into a new state directory.</summary>
    public static StateMetadata Import(string file, string directory, ImportFormat format = ImportFormat.Auto, CreateStateOptions? options = null)
    {
        file = Path.GetFullPath(file);
        if (!File.Exists(file))
            throw new ClusterStateException(ErrorIds.ImportFileNotFound, ClusterStateErrorKind.NotFound, $"The file '{file}' does not exist.", file);
        if (format == ImportFormat.Auto) format = Detect(file);
        return format switch
        {
            ImportFormat.Arrow => ImportArrow(file, directory, options),
            ImportFormat.Parquet => StateStore.Create(directory, Checkpoints.ReadContent(file), options),
            _ => ImportJson(file, directory, options),
        };
    }

    private static ImportFormat Detect(string file)
    {
        var head = new byte[8];
        int read;
        using (var stream = File.OpenRead(file)) read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        if (read >= 6 && head.AsSpan(0, 6).SequenceEqual("ARROW1"u8)) return ImportFormat.Arrow;
        if (read >= 4 && head.AsSpan(0, 4).SequenceEqual("PAR1"u8)) return ImportFormat.Parquet;
        int first = head.AsSpan(0, read).IndexOfAnyExcept(" \t\r\n\uFEFF"u8);
        if (first >= 0 && head[first] == (byte)'{') return ImportFormat.Json;
        throw new ClusterStateException(ErrorIds.ImportFormatUnsupported, ClusterStateErrorKind.InvalidData,
            $"'{file}' is neither an Arrow IPC file nor a JSON document.", file);
    }

    private static StateMetadata ImportArrow(string file, string directory, CreateStateOptions? options) =>
        StateStore.CreateFromSnapshotFile(directory, file, options);

    private static StateMetadata ImportJson(string file, string directory, CreateStateOptions? options)
    {
        JsonDocument doc;
        try
        {
            using var stream = File.OpenRead(file);
            doc = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new ClusterStateException(ErrorIds.ImportInvalid, ClusterStateErrorKind.InvalidData, $"'{file}' is not valid JSON: {e.Message}", file, e);
        }
        using (doc)
        {
            var root = doc.RootElement;
            try
            {
                return StateStore.Create(directory, new StateContent
                {
                    ClusterId = Str(root, N.ClusterId) ?? throw new FormatException("cluster_id is missing"),
                    MasterId = Str(root, N.MasterId) ?? "",
                    UpdatedAt = Time(root, N.UpdatedAt),
                    Nodes = Items(root, N.Nodes).Select(ReadNode).ToList(),
                    Tasks = Items(root, N.Tasks).Select(ReadTask).ToList(),
                    Content = Items(root, N.Content).Select(ReadContent).ToList(),
                }, options);
            }
            catch (Exception e) when (e is FormatException or InvalidOperationException or KeyNotFoundException)
            {
                throw new ClusterStateException(ErrorIds.ImportInvalid, ClusterStateErrorKind.InvalidData, $"'{file}' is not a cluster-state export: {e.Message}", file, e);
            }
        }
    }

    private static ClusterNode ReadNode(JsonElement e) => new()
    {
        Id = Str(e, N.Id) ?? throw new FormatException("a node has no id"),
        Role = Str(e, N.Role),
        Status = Str(e, N.Status),
        Peers = List(e, N.Peers),
        Capabilities = List(e, N.Capabilities),
        Resources = Obj(e, N.Resources) is { } r
            ? new NodeResources
            {
                CpuCount = (int?)Long(r, N.CpuCount), CpuLoad = (float?)Dbl(r, N.CpuLoad), GpuCount = (int?)Long(r, N.GpuCount),
                GpuAvailable = Bool(r, N.GpuAvailable), MemoryTotal = Long(r, N.MemoryTotal), MemoryAvailable = Long(r, N.MemoryAvailable),
                DiskTotal = Long(r, N.DiskTotal), DiskAvailable = Long(r, N.DiskAvailable),
            }
            : null,
    };

    private static ClusterTask ReadTask(JsonElement e) => new()
    {
        Id = Str(e, N.Id) ?? throw new FormatException("a task has no id"),
        Type = Str(e, N.Type),
        Status = Str(e, N.Status),
        CreatedAt = Time(e, N.CreatedAt),
        UpdatedAt = Time(e, N.UpdatedAt),
        StartedAt = Time(e, N.StartedAt),
        CompletedAt = Time(e, N.CompletedAt),
        AssignedTo = Str(e, N.AssignedTo),
        Resources = Obj(e, N.Resources) is { } r
            ? new TaskResources { CpuCores = (int?)Long(r, N.CpuCores), GpuCores = (int?)Long(r, N.GpuCores), MemoryMB = (int?)Long(r, N.MemoryMb) }
            : null,
        InputCid = Str(e, N.InputCid),
        OutputCid = Str(e, N.OutputCid),
        InputCids = List(e, N.InputCids),
        OutputCids = List(e, N.OutputCids),
    };

    private static ClusterContent ReadContent(JsonElement e) => new()
    {
        Cid = Str(e, N.Cid) ?? throw new FormatException("a content item has no cid"),
        Size = Long(e, N.Size),
        CreatedAt = Time(e, N.CreatedAt),
        Providers = List(e, N.Providers),
        Pinned = Bool(e, N.Pinned),
        Replication = (int?)Long(e, N.Replication),
    };

    private static IEnumerable<JsonElement> Items(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray() : Enumerable.Empty<JsonElement>();

    private static JsonElement? Obj(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v : null;

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v.GetString() : null;

    private static long? Long(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v.GetInt64() : null;

    private static double? Dbl(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v.GetDouble() : null;

    private static bool? Bool(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;

    private static DateTime? Time(JsonElement e, string name) =>
        Str(e, name) is { } s ? DateTime.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal) : null;

    private static string[] List(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray().Select(x => x.GetString() ?? "").ToArray() : Array.Empty<string>();
}
