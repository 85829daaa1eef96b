using System;
using System.Collections.Generic;
using System.Linq;

namespace ClusterState;

/// <summary>
/// How the <c>changes</c> action carries changes of any size in bounded messages: the server
/// splits a change whose JSON would pass <see cref="RequestLimits.ChangeChunkBytes"/> into parts
/// (<see cref="RemoteWire.ChangePart"/>), each holding a slice of its ids and objects and the
/// counts of the whole; the client joins consecutive parts back into one change.
/// </summary>
public static class ChangeParts
{
    /// <summary>
    /// The results for <paramref name="changes"/>: one part per change that fits, several for one
    /// that does not, and no further change once <paramref name="maxBytes"/> were passed at the
    /// end of a generation (the client asks again from the last one it received).
    /// </summary>
    public static IEnumerable<RemoteWire.ChangePart> Split(IEnumerable<ClusterStateChange> changes, int chunkBytes = RequestLimits.ChangeChunkBytes, long maxBytes = RequestLimits.MaxChangesBytes)
    {
        long sent = 0;
        foreach (var change in changes)
        {
            if (sent >= maxBytes) yield break;
            foreach (var part in SplitOne(change, chunkBytes))
            {
                sent += part.Bytes;
                yield return part.Part;
            }
        }
    }

    private enum Slot { NodeAdded, NodeUpdated, NodeRemoved, TaskAdded, TaskUpdated, TaskRemoved, ContentAdded, ContentUpdated, ContentRemoved, Nodes, Tasks, Content }

    private static IEnumerable<(RemoteWire.ChangePart Part, long Bytes)> SplitOne(ClusterStateChange change, int chunkBytes)
    {
        // Each item's JSON size (an id costs its text and quotes; an object, its serialisation).
        var items = new List<(Slot Slot, object Item, int Bytes)>();
        void Ids(Slot slot, string[] ids)
        {
            foreach (var id in ids) items.Add((slot, id, id.Length * 2 + 3)); // *2: escapes of control characters, non-ASCII as UTF-8
        }
        void Objects(Slot slot, IEnumerable<object> objects)
        {
            foreach (var o in objects) items.Add((slot, o, RemoteWire.ToJson(o).Length * 2 + 1));
        }
        Ids(Slot.NodeAdded, change.Nodes.AddedIds); Ids(Slot.NodeUpdated, change.Nodes.UpdatedIds); Ids(Slot.NodeRemoved, change.Nodes.RemovedIds);
        Ids(Slot.TaskAdded, change.Tasks.AddedIds); Ids(Slot.TaskUpdated, change.Tasks.UpdatedIds); Ids(Slot.TaskRemoved, change.Tasks.RemovedIds);
        Ids(Slot.ContentAdded, change.Content.AddedIds); Ids(Slot.ContentUpdated, change.Content.UpdatedIds); Ids(Slot.ContentRemoved, change.Content.RemovedIds);
        Objects(Slot.Nodes, change.ChangedNodes); Objects(Slot.Tasks, change.ChangedTasks); Objects(Slot.Content, change.ChangedContent);
        const int frame = 2_048; // the change's fixed fields and the part's
        int start = 0;
        do
        {
            int end = start, bytes = frame;
            // At least one item per part: an object larger than a chunk goes alone (gRPC's limit then decides).
            while (end < items.Count && (end == start || bytes + items[end].Bytes <= chunkBytes)) bytes += items[end++].Bytes;
            yield return (new RemoteWire.ChangePart { Change = Part(change, items, start, end), More = end < items.Count }, bytes);
            start = end;
        }
        while (start < items.Count);
    }

    private static ClusterStateChange Part(ClusterStateChange whole, List<(Slot Slot, object Item, int Bytes)> items, int start, int end)
    {
        var slice = items.Skip(start).Take(end - start).ToList();
        T[] Of<T>(Slot slot) => slice.Where(i => i.Slot == slot).Select(i => (T)i.Item).ToArray();
        EntityChange Entity(EntityChange counts, Slot added, Slot updated, Slot removed) => new()
        {
            Added = counts.Added, Updated = counts.Updated, Removed = counts.Removed,
            AddedIds = Of<string>(added), UpdatedIds = Of<string>(updated), RemovedIds = Of<string>(removed),
        };
        return new ClusterStateChange
        {
            Generation = whole.Generation,
            CommittedAt = whole.CommittedAt,
            Replaced = whole.Replaced,
            Known = whole.Known,
            StatePath = whole.StatePath,
            Nodes = Entity(whole.Nodes, Slot.NodeAdded, Slot.NodeUpdated, Slot.NodeRemoved),
            Tasks = Entity(whole.Tasks, Slot.TaskAdded, Slot.TaskUpdated, Slot.TaskRemoved),
            Content = Entity(whole.Content, Slot.ContentAdded, Slot.ContentUpdated, Slot.ContentRemoved),
            ChangedNodes = Of<ClusterNode>(Slot.Nodes),
            ChangedTasks = Of<ClusterTask>(Slot.Tasks),
            ChangedContent = Of<ClusterContent>(Slot.Content),
        };
    }

    /// <summary>
    /// Joins the parts a server sent back into changes. A part that claims more than its change's
    /// counts, or a change left unfinished, is refused: the server's answer is not trusted to be
    /// well formed.
    /// </summary>
    public static List<ClusterStateChange> Join(IEnumerable<RemoteWire.ChangePart> parts)
    {
        var result = new List<ClusterStateChange>();
        ClusterStateChange? open = null;
        foreach (var part in parts)
        {
            var c = part.Change ?? throw Malformed("a part without its change");
            if (open is null)
            {
                if (result.Count > 0 && c.Generation <= result[^1].Generation) throw Malformed($"generation {c.Generation} after {result[^1].Generation}");
                // JSON may say null where the object holds empty lists.
                c.ChangedNodes ??= [];
                c.ChangedTasks ??= [];
                c.ChangedContent ??= [];
                c.Nodes = Normal(c.Nodes);
                c.Tasks = Normal(c.Tasks);
                c.Content = Normal(c.Content);
                open = c;
            }
            else
            {
                if (c.Generation != open.Generation) throw Malformed($"a part of generation {c.Generation} continues generation {open.Generation}");
                open.Nodes = Append(open.Nodes, c.Nodes);
                open.Tasks = Append(open.Tasks, c.Tasks);
                open.Content = Append(open.Content, c.Content);
                open.ChangedNodes = [.. open.ChangedNodes, .. c.ChangedNodes ?? []];
                open.ChangedTasks = [.. open.ChangedTasks, .. c.ChangedTasks ?? []];
                open.ChangedContent = [.. open.ChangedContent, .. c.ChangedContent ?? []];
            }
            foreach (var (e, objects) in new[] { (open.Nodes, open.ChangedNodes.Length), (open.Tasks, open.ChangedTasks.Length), (open.Content, open.ChangedContent.Length) })
            {
                if (e.AddedIds.Length > e.Added || e.UpdatedIds.Length > e.Updated || e.RemovedIds.Length > e.Removed || objects > (long)e.Added + e.Updated)
                    throw Malformed($"generation {open.Generation} lists more ids or objects than it counts");
            }
            if (part.More) continue;
            result.Add(open);
            open = null;
        }
        if (open is not null) throw Malformed($"generation {open.Generation} ends in the middle");
        return result;
    }

    private static EntityChange Normal(EntityChange? e)
    {
        e ??= new EntityChange();
        e.AddedIds ??= [];
        e.UpdatedIds ??= [];
        e.RemovedIds ??= [];
        return e;
    }

    private static EntityChange Append(EntityChange a, EntityChange? b) => b is null ? a : new()
    {
        Added = a.Added, Updated = a.Updated, Removed = a.Removed,
        AddedIds = [.. a.AddedIds, .. b.AddedIds ?? []], UpdatedIds = [.. a.UpdatedIds, .. b.UpdatedIds ?? []], RemovedIds = [.. a.RemovedIds, .. b.RemovedIds ?? []],
    };

    private static ClusterStateException Malformed(string why) =>
        new(ErrorIds.ServerFailed, ClusterStateErrorKind.ResourceUnavailable, $"The server's list of changes is malformed: {why}.");
}
