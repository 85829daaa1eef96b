using System;
using System.Collections.Generic;
using C = ClusterState.Schema.FieldCodecs;
using N = ClusterState.ClusterSchema.Names;

namespace ClusterState.Schema;

/// <summary>
/// The field table of <c>content</c> (SPEC.md §1), in Arrow field order.
/// <see cref="ClusterSchema.ContentType"/>, the batch builder and the commit's change detection
/// are made from it.
/// </summary>
internal static class ContentFields
{
    /// <summary>The fields of a content item (<see cref="ClusterContent"/>).</summary>
    public static EntityFields<ClusterContent> Table => Slot.Current;

    /// <summary>Where <see cref="Table"/> is looked up (tests put a copy with one more field in force through it).</summary>
    public static TableSlot<ClusterContent> Slot { get; } = new(new(new EntityField<ClusterContent>[]
    {
        new ValueField<ClusterContent, string?>(N.Cid, C.String, nameof(ClusterContent.Cid), c => c.Cid, (c, v) => c.Cid = v!),
        new ValueField<ClusterContent, long?>(N.Size, C.Int64, nameof(ClusterContent.Size), c => c.Size, (c, v) => c.Size = v) { Updatable = true },
        new ValueField<ClusterContent, DateTime?>(N.CreatedAt, C.Timestamp, nameof(ClusterContent.CreatedAt), c => c.CreatedAt, (c, v) => c.CreatedAt = v),
        new ValueField<ClusterContent, string[]>(N.Providers, C.StringList, nameof(ClusterContent.Providers), c => c.Providers, (c, v) => c.Providers = v) { Updatable = true },
        new ValueField<ClusterContent, bool?>(N.Pinned, C.Boolean, nameof(ClusterContent.Pinned), c => c.Pinned, (c, v) => c.Pinned = v) { Updatable = true, PresenceOf = "pinned_at" },
        new ValueField<ClusterContent, int?>(N.Replication, C.Int32, nameof(ClusterContent.Replication), c => c.Replication, (c, v) => c.Replication = v) { Updatable = true },
    }, new Dictionary<string, string> { [nameof(ClusterContent.StatePath)] = "where the row was read from (a directory or a server URI), not data of the row" }) { ItemName = "content item" });
}
