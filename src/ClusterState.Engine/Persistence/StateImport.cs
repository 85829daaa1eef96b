using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using ClusterState.Schema;
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

    private static ClusterNode ReadNode(JsonElement e) => ReadItem(NodeFields.Table, e);

    private static ClusterTask ReadTask(JsonElement e) => ReadItem(TaskFields.Table, e);

    private static ClusterContent ReadContent(JsonElement e) => ReadItem(ContentFields.Table, e);

    /// <summary>An item from its JSON object, field by field through its field table; the key is read first and must be there.</summary>
    private static T ReadItem<T>(EntityFields<T> table, JsonElement e)
        where T : class, new()
    {
        var item = new T();
        foreach (var field in table.ViewOrder)
        {
            field.ReadJson(e, item);
            if (field == table.Key && field.GetValue(item) is null) throw new FormatException($"a {table.ItemName} has no {field.Name}");
        }
        return item;
    }

    private static IEnumerable<JsonElement> Items(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array ? v.EnumerateArray() : Enumerable.Empty<JsonElement>();

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v.GetString() : null;

    private static DateTime? Time(JsonElement e, string name) =>
        Str(e, name) is { } s ? DateTime.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal) : null;
}
