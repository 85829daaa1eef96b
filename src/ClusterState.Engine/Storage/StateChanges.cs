using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;

namespace ClusterState;

/// <summary>What one commit did to one entity (Watch-ClusterState).</summary>
public sealed class EntityChange
{
    /// <summary>Items added.</summary>
    public int Added { get; set; }
    /// <summary>Items changed.</summary>
    public int Updated { get; set; }
    /// <summary>Items removed.</summary>
    public int Removed { get; set; }
    /// <summary>Ids added (the first <see cref="StateChanges.MaxIds"/>).</summary>
    public string[] AddedIds { get; set; } = Array.Empty<string>();
    /// <summary>Ids changed (the first <see cref="StateChanges.MaxIds"/>).</summary>
    public string[] UpdatedIds { get; set; } = Array.Empty<string>();
    /// <summary>Ids removed (the first <see cref="StateChanges.MaxIds"/>).</summary>
    public string[] RemovedIds { get; set; } = Array.Empty<string>();

    /// <inheritdoc />
    public override string ToString() => $"+{Added} ~{Updated} -{Removed}";
}

/// <summary>One commit as Watch-ClusterState reports it.</summary>
public sealed class ClusterStateChange
{
    /// <summary>The generation the commit made.</summary>
    public long Generation { get; set; }
    /// <summary>When it was committed (UTC); null when unknown.</summary>
    public DateTime? CommittedAt { get; set; }
    /// <summary>Changes to nodes.</summary>
    public EntityChange Nodes { get; set; } = new();
    /// <summary>Changes to tasks.</summary>
    public EntityChange Tasks { get; set; } = new();
    /// <summary>Changes to content.</summary>
    public EntityChange Content { get; set; } = new();
    /// <summary>True when the whole state was replaced (restore, import over it, migration, a new sample).</summary>
    public bool Replaced { get; set; }
    /// <summary>False when the change is not known in detail: another program committed it, or it left the metadata's change log before it was seen.</summary>
    public bool Known { get; set; } = true;
    /// <summary>The state directory.</summary>
    public string StatePath { get; set; } = "";

    /// <inheritdoc />
    public override string ToString() => Replaced ? $"generation {Generation}: replaced"
        : !Known ? $"generation {Generation}: changes not recorded"
        : $"generation {Generation}: nodes {Nodes}, tasks {Tasks}, content {Content}";
}

/// <summary>
/// The change log in <c>state_metadata.json</c> (<c>changes</c>): every commit through the
/// module appends what it added, changed and removed (counts, and the first ids), and the newest
/// <see cref="Keep"/> entries stay. Watchers read only the small metadata file, never diff the
/// snapshots.
/// </summary>
public static class StateChanges
{
    /// <summary>How many commits the log keeps.</summary>
    public const int Keep = 64;

    /// <summary>How many ids per entity and kind an entry keeps.</summary>
    public const int MaxIds = 100;

    internal const string Key = "changes";

    internal static void Append(StateMetadata metadata, long generation, DateTime at, ChangeSet? changes)
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
        var log = metadata.Json[Key] as JsonArray ?? new JsonArray();
        // Copy the newest entries into a fresh array (a node cannot belong to two parents).
        var kept = new JsonArray(log.Skip(Math.Max(0, log.Count - (Keep - 1))).Select(n => n?.DeepClone()).ToArray());
        kept.Add(entry);
        metadata.Json[Key] = kept;
    }

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

    /// <summary>The changes that made generations (<paramref name="after"/>, <paramref name="upTo"/>], oldest first; a generation the log does not hold is reported with <see cref="ClusterStateChange.Known"/> false.</summary>
    public static IReadOnlyList<ClusterStateChange> Between(StateMetadata metadata, long after, long upTo, string statePath)
    {
        var byGeneration = new Dictionary<long, JsonObject>();
        if (metadata.Json[Key] is JsonArray log)
        {
            foreach (var node in log)
            {
                if (node is JsonObject o && o["generation"] is JsonValue g && g.TryGetValue(out long generation)) byGeneration[generation] = o;
            }
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
