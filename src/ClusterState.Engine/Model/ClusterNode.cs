using System;

namespace ClusterState;

/// <summary>
/// One node of the cluster. The resource fields are flattened onto the node so that
/// <c>Where-Object CpuLoad -lt 50</c> works; <see cref="Resources"/> keeps the struct.
/// </summary>
public sealed class ClusterNode
{
    /// <summary>The values: made when the object is created by hand, or read from its row on first use.</summary>
    private sealed class Values
    {
        public string Id = "";
        public string? Role;
        public string? Status;
        public string[] Peers = Array.Empty<string>();
        public string[] Capabilities = Array.Empty<string>();
        public NodeResources? Resources;
    }

    private LazyValues<ClusterNode, Values> _lazy;

    /// <summary>Creates an empty node to fill in.</summary>
    public ClusterNode() => _lazy = LazyValues<ClusterNode, Values>.Filled();

    /// <summary>A row of a snapshot, read from the columns when a property is first used.</summary>
    internal ClusterNode(RowSource<ClusterNode> source, int row) => _lazy = LazyValues<ClusterNode, Values>.Of(source, row);

    private Values V => _lazy.Get(static row => row.V);

    /// <summary>
    /// The state this node was read from (a directory or a server's grpc:// URI); null for one made
    /// by hand. Cmdlets that take it from the pipeline bind it to -StatePath, so a pipeline acts on
    /// the state its objects came from.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string? StatePath => _lazy.State;

    /// <summary>Node id (an IPFS peer id in live clusters).</summary>
    public string Id { get => V.Id; set => V.Id = value; }
    /// <summary>Role: master, worker or leecher.</summary>
    public string? Role { get => V.Role; set => V.Role = value; }
    /// <summary>Status: online, offline or draining.</summary>
    public string? Status { get => V.Status; set => V.Status = value; }
    /// <summary>Ids of the peers this node lists.</summary>
    public string[] Peers { get => V.Peers; set => V.Peers = value; }
    /// <summary>Capabilities such as <c>gpu</c> or <c>storage</c>.</summary>
    public string[] Capabilities { get => V.Capabilities; set => V.Capabilities = value; }
    /// <summary>The resources struct; null when the state has none for this node.</summary>
    public NodeResources? Resources { get => V.Resources; set => V.Resources = value; }

    /// <summary>Number of CPU cores.</summary>
    public int? CpuCount => Resources?.CpuCount;
    /// <summary>CPU load in percent.</summary>
    public float? CpuLoad => Resources?.CpuLoad;
    /// <summary>Number of GPUs.</summary>
    public int? GpuCount => Resources?.GpuCount;
    /// <summary>Whether the GPUs accept work.</summary>
    public bool? GpuAvailable => Resources?.GpuAvailable;
    /// <summary>Total memory in bytes.</summary>
    public long? MemoryTotal => Resources?.MemoryTotal;
    /// <summary>Available memory in bytes.</summary>
    public long? MemoryAvailable => Resources?.MemoryAvailable;
    /// <summary>Total disk in bytes.</summary>
    public long? DiskTotal => Resources?.DiskTotal;
    /// <summary>Available disk in bytes.</summary>
    public long? DiskAvailable => Resources?.DiskAvailable;

    /// <inheritdoc />
    public override string ToString() => Id;
}
