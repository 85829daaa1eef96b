using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;

using ClusterState.Storage;

namespace ClusterState;

/// <summary>
/// The change log, <c>changes.json</c> in the state directory: every commit through the module
/// appends what it added, changed and removed (counts, and the first ids) before it switches the
/// metadata, and the newest <see cref="Keep"/> entries stay. It lives beside the metadata, not in
/// it, so the file every open reads stays a few hundred bytes. Watchers read the metadata to see
/// that a commit happened and this file to say what it did; they never diff snapshots.
/// </summary>
public static class ChangeLog
{
    /// <summary>How many commits the log keeps.</summary>
    public const int Keep = 64;

    /// <summary>Most generations one <see cref="Between"/> lists (the newest of its range): the log keeps <see cref="Keep"/>, older ones are all unknown.</summary>
    public const int MaxRange = 1_024;

    /// <summary>How many ids per entity and kind an entry keeps.</summary>
    public const int MaxIds = 100;

    /// <summary>The log's file name inside a state directory.</summary>
    public const string FileName = "changes.json";

    /// <summary>Appends the entry of a commit; the caller holds the writer lock. The log is informational: a crash may lose its newest entry (reported as unknown), never the commit.</summary>
    internal static void Append(string directory, long generation, DateTime at, ChangeSet? changes)
    {
        var entry = new JsonObject
        {
            ["generation"] = generation,
            ["at"] = at.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
        };
        if (changes is null) entry["replaced"] = true;
        else
        {
            Entity(entry, "nodes", changes.AddNodes.Select(n => n.Id), changes.UpdateNodes.Select(u => u.Id), changes.RemoveNodes);
            Entity(entry, "tasks", changes.AddTasks.Select(t => t.Id), changes.UpdateTasks.Select(u => u.Id), changes.RemoveTasks);
            Entity(entry, "content", changes.AddContent.Select(c => c.Cid), changes.UpdateContent.Select(u => u.Cid), changes.RemoveContent);
        }
        var log = Read(directory);
        // Entries of generations at or after this one belong to a history that was replaced.
        var kept = new JsonArray(log.Where(n => Generation(n) is long g && g < generation).TakeLast(Keep - 1).Select(n => n?.DeepClone()).ToArray());
        kept.Add(entry);
        Write(directory, kept);
    }

    /// <summary>Removes the entry of a generation whose publish failed (the caller holds the writer lock); best effort, as the log is informational.</summary>
    internal static void Forget(string directory, long generation)
    {
        try
        {
            var log = Read(directory);
            Write(directory, new JsonArray(log.Where(n => Generation(n) != generation).Select(n => n?.DeepClone()).ToArray()));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ClusterStateException)
        {
            // A disk that refused the metadata may refuse this too; the next commit of this generation replaces the entry.
        }
    }

    private static void Write(string directory, JsonArray log) =>
        AtomicFile.Write(Path.Combine(directory, FileName), stream =>
        {
            using var writer = new System.Text.Json.Utf8JsonWriter(stream);
            log.WriteTo(writer);
        }, durable: false, "change log");

    private static JsonArray Read(string directory)
    {
        try
        {
            using var stream = new FileStream(Path.Combine(directory, FileName), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return JsonNode.Parse(stream) as JsonArray ?? new JsonArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            return new JsonArray(); // no log yet, or a damaged one: commits are reported as unknown
        }
    }

    private static long? Generation(JsonNode? node) =>
        node is JsonObject o && o["generation"] is JsonValue g && g.TryGetValue(out long generation) ? generation : null;

    private static void Entity(JsonObject entry, string name, IEnumerable<string> added, IEnumerable<string> updated, IEnumerable<string> removed)
    {
        var a = added.Distinct(StringComparer.Ordinal).ToList();
        var u = updated.Distinct(StringComparer.Ordinal).ToList();
        var r = removed.Distinct(StringComparer.Ordinal).ToList();
        if (a.Count + u.Count + r.Count == 0) return;
        static JsonArray Ids(List<string> ids) => new(ids.Take(MaxIds).Select(id => (JsonNode?)JsonValue.Create(id)).ToArray());
        entry[name] = new JsonObject
        {
            ["added"] = a.Count, ["updated"] = u.Count, ["removed"] = r.Count,
            ["added_ids"] = Ids(a), ["updated_ids"] = Ids(u), ["removed_ids"] = Ids(r),
        };
    }

    /// <summary>
    /// The changes that made generations (<paramref name="after"/>, <paramref name="upTo"/>], oldest
    /// first; a generation the log does not hold is reported with <see cref="ClusterStateChange.Known"/>
    /// false. The range is bounded by the state, not by the caller: it ends at the current
    /// generation, and only its newest <see cref="MaxRange"/> generations are
    /// listed.
    /// </summary>
    public static IReadOnlyList<ClusterStateChange> Between(string statePath, long after, long upTo)
    {
        upTo = Math.Min(upTo, StateMetadata.Read(statePath).Generation);
        after = Math.Max(after, 0);
        if (upTo <= after) return Array.Empty<ClusterStateChange>();
        after = Math.Max(after, upTo - MaxRange);
        var byGeneration = new Dictionary<long, JsonObject>();
        foreach (var node in Read(statePath))
        {
            if (node is JsonObject o && Generation(o) is long generation) byGeneration[generation] = o;
        }
        var result = new List<ClusterStateChange>();
        for (long generation = after + 1; generation <= upTo; generation++)
        {
            if (!byGeneration.TryGetValue(generation, out var o))
            {
                result.Add(new ClusterStateChange { Generation = generation, Known = false, StatePath = statePath });
                continue;
            }
            result.Add(new ClusterStateChange
            {
                Generation = generation,
                CommittedAt = o["at"] is JsonValue at && at.TryGetValue(out string? text)
                    && DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t) ? t : null,
                Replaced = o["replaced"] is JsonValue r && r.TryGetValue(out bool replaced) && replaced,
                Nodes = ReadEntity(o["nodes"]),
                Tasks = ReadEntity(o["tasks"]),
                Content = ReadEntity(o["content"]),
                StatePath = statePath,
            });
        }
        return result;
    }

    private static EntityChange ReadEntity(JsonNode? node)
    {
        if (node is not JsonObject o) return new EntityChange();
        static int Count(JsonNode? n) => n is JsonValue v && v.TryGetValue(out int i) ? i : 0;
        static string[] Ids(JsonNode? n) => n is JsonArray a ? a.Select(x => x is JsonValue v && v.TryGetValue(out string? s) ? s : null).OfType<string>().ToArray() : Array.Empty<string>();
        return new EntityChange
        {
            Added = Count(o["added"]), Updated = Count(o["updated"]), Removed = Count(o["removed"]),
            AddedIds = Ids(o["added_ids"]), UpdatedIds = Ids(o["updated_ids"]), RemovedIds = Ids(o["removed_ids"]),
        };
    }
}
