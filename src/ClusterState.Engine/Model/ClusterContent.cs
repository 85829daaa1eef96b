using System;

namespace ClusterState;

/// <summary>One content item (an IPFS CID) tracked by the cluster.</summary>
public sealed class ClusterContent
{
    /// <summary>The values: made when the object is created by hand, or read from its row on first use.</summary>
    private sealed class Values
    {
        public string Cid = "";
        public long? Size;
        public DateTime? CreatedAt;
        public string[] Providers = Array.Empty<string>();
        public bool? Pinned;
        public int? Replication;
    }

    private LazyValues<ClusterContent, Values> _lazy;

    /// <summary>Creates an empty content to fill in.</summary>
    public ClusterContent() => _lazy = LazyValues<ClusterContent, Values>.Filled();

    /// <summary>A row of a snapshot, read from the columns when a property is first used.</summary>
    internal ClusterContent(RowSource<ClusterContent> source, int row) => _lazy = LazyValues<ClusterContent, Values>.Of(source, row);

    private Values V => _lazy.Get(static row => row.V);

    /// <summary>
    /// The state this content item was read from (a directory or a server's grpc:// URI); null for one made
    /// by hand. Cmdlets that take it from the pipeline bind it to -StatePath, so a pipeline acts on
    /// the state its objects came from.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? StatePath => _lazy.State;

    /// <summary>The content identifier.</summary>
    public string Cid { get => V.Cid; set => V.Cid = value; }
    /// <summary>Size in bytes.</summary>
    public long? Size { get => V.Size; set => V.Size = value; }
    /// <summary>When the content was added (UTC).</summary>
    public DateTime? CreatedAt { get => V.CreatedAt; set => V.CreatedAt = value; }
    /// <summary>Ids of the nodes that provide the content.</summary>
    public string[] Providers { get => V.Providers; set => V.Providers = value; }
    /// <summary>Whether the content is pinned.</summary>
    public bool? Pinned { get => V.Pinned; set => V.Pinned = value; }
    /// <summary>Target number of providers.</summary>
    public int? Replication { get => V.Replication; set => V.Replication = value; }

    /// <inheritdoc />
    public override string ToString() => Cid;
}
