using System;

namespace ClusterState;

/// <summary>One content item (an IPFS CID) tracked by the cluster.</summary>
public sealed class ClusterContent
{
    /// <summary>The content identifier.</summary>
    public string Cid { get; set; } = "";
    /// <summary>Size in bytes.</summary>
    public long? Size { get; set; }
    /// <summary>When the content was added (UTC).</summary>
    public DateTime? CreatedAt { get; set; }
    /// <summary>Ids of the nodes that provide the content.</summary>
    public string[] Providers { get; set; } = Array.Empty<string>();
    /// <summary>Whether the content is pinned.</summary>
    public bool? Pinned { get; set; }
    /// <summary>Target number of providers.</summary>
    public int? Replication { get; set; }

    /// <inheritdoc />
    public override string ToString() => Cid;
}

/// <summary>A row of the content availability map: a CID, its distinct providers and its replication target.</summary>
public sealed class ContentMapEntry
{
    /// <summary>The content identifier.</summary>
    public string Cid { get; set; } = "";
    /// <summary>Distinct providers in stored order.</summary>
    public string[] Providers { get; set; } = Array.Empty<string>();
    /// <summary>Number of distinct providers.</summary>
    public int ProviderCount { get; set; }
    /// <summary>Target number of providers.</summary>
    public int? Replication { get; set; }
    /// <summary>True when fewer providers than the replication target hold the content.</summary>
    public bool UnderReplicated => Replication is int r && ProviderCount < r;

    /// <inheritdoc />
    public override string ToString() => Cid;
}
