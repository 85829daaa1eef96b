namespace ClusterState;

/// <summary>Changes to one content item; null properties stay as they are.</summary>
public sealed class ContentUpdate
{
#pragma warning disable CS1591
    public string Cid { get; set; } = "";
    public string[]? Providers { get; set; }
    public string[]? AddProviders { get; set; }
    public string[]? RemoveProviders { get; set; }
    public bool? Pinned { get; set; }
    public int? Replication { get; set; }
    /// <summary>Added to the replication target under the writer lock (an atomic increment).</summary>
    public int? ReplicationDelta { get; set; }
    public long? Size { get; set; }
#pragma warning restore CS1591
    /// <summary>
    /// More fields to set, by their Arrow names (a field of a struct such as resources by its own
    /// name), for fields no property here covers (a field newer than this type): each value
    /// replaces the field's, null clears it. The entity's field table says which fields exist
    /// and which an update may set (UnknownField, FieldNotUpdatable otherwise).
    /// </summary>
#pragma warning disable CA2227 // a plain, mutable description, like ChangeSet
    public System.Collections.Generic.Dictionary<string, object?>? Fields { get; set; }
#pragma warning restore CA2227
}
