using System;

namespace ClusterState;

/// <summary>A row of the content availability map: a CID, its distinct providers and its replication target.</summary>
public sealed class ContentMapEntry : IFromState
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
    /// <summary>The state the entry was read from (a directory or a server URI), bound to -StatePath by the cmdlets it is piped into.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? StatePath { get; set; }

    /// <inheritdoc />
    public override string ToString() => Cid;
}
