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
}
