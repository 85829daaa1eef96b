using System.Collections.Generic;
using C = ClusterState.Schema.FieldCodecs;
using N = ClusterState.ClusterSchema.Names;

namespace ClusterState.Schema;

/// <summary>
/// The field table of <c>nodes</c> (SPEC.md §1), in Arrow field order, and of a node's
/// <c>resources</c> struct. <see cref="ClusterSchema.NodeType"/>, the batch builder and the
/// commit's change detection are made from it.
/// </summary>
internal static class NodeFields
{
    /// <summary>The fields of a node's <c>resources</c> struct (<see cref="NodeResources"/>).</summary>
    public static EntityFields<NodeResources> Resources { get; } = new(new EntityField<NodeResources>[]
    {
        new ValueField<NodeResources, int?>(N.CpuCount, C.Int32, nameof(NodeResources.CpuCount), r => r.CpuCount, (r, v) => r.CpuCount = v) { Updatable = true },
        new ValueField<NodeResources, float?>(N.CpuLoad, C.Float, nameof(NodeResources.CpuLoad), r => r.CpuLoad, (r, v) => r.CpuLoad = v) { Updatable = true },
        new ValueField<NodeResources, int?>(N.GpuCount, C.Int32, nameof(NodeResources.GpuCount), r => r.GpuCount, (r, v) => r.GpuCount = v) { Updatable = true },
        new ValueField<NodeResources, bool?>(N.GpuAvailable, C.Boolean, nameof(NodeResources.GpuAvailable), r => r.GpuAvailable, (r, v) => r.GpuAvailable = v) { Updatable = true },
        new ValueField<NodeResources, long?>(N.MemoryTotal, C.Int64, nameof(NodeResources.MemoryTotal), r => r.MemoryTotal, (r, v) => r.MemoryTotal = v) { Updatable = true },
        new ValueField<NodeResources, long?>(N.MemoryAvailable, C.Int64, nameof(NodeResources.MemoryAvailable), r => r.MemoryAvailable, (r, v) => r.MemoryAvailable = v) { Updatable = true },
        new ValueField<NodeResources, long?>(N.DiskTotal, C.Int64, nameof(NodeResources.DiskTotal), r => r.DiskTotal, (r, v) => r.DiskTotal = v) { Updatable = true },
        new ValueField<NodeResources, long?>(N.DiskAvailable, C.Int64, nameof(NodeResources.DiskAvailable), r => r.DiskAvailable, (r, v) => r.DiskAvailable = v) { Updatable = true },
    });

    /// <summary>The fields of a node (<see cref="ClusterNode"/>).</summary>
    public static EntityFields<ClusterNode> Table => Slot.Current;

    /// <summary>Where <see cref="Table"/> is looked up (tests put a copy with one more field in force through it).</summary>
    public static TableSlot<ClusterNode> Slot { get; } = new(new(new EntityField<ClusterNode>[]
    {
        new ValueField<ClusterNode, string?>(N.Id, C.String, nameof(ClusterNode.Id), n => n.Id, (n, v) => n.Id = v!),
        new ValueField<ClusterNode, string?>(N.Role, C.String, nameof(ClusterNode.Role), n => n.Role, (n, v) => n.Role = v) { Updatable = true, Vocabulary = Vocabularies.NodeRoles },
        new ValueField<ClusterNode, string?>(N.Status, C.String, nameof(ClusterNode.Status), n => n.Status, (n, v) => n.Status = v) { Updatable = true, Vocabulary = Vocabularies.NodeStatuses },
        new ValueField<ClusterNode, string[]>(N.Peers, C.StringList, nameof(ClusterNode.Peers), n => n.Peers, (n, v) => n.Peers = v) { Updatable = true },
        new ValueField<ClusterNode, string[]>(N.Capabilities, C.StringList, nameof(ClusterNode.Capabilities), n => n.Capabilities, (n, v) => n.Capabilities = v) { Updatable = true },
        new StructField<ClusterNode, NodeResources>(N.Resources, nameof(ClusterNode.Resources), n => n.Resources, (n, v) => n.Resources = v, Resources) { Updatable = true },
    }, Flattened) { ItemName = "node" });

    private static Dictionary<string, string> Flattened => new()
    {
        [nameof(ClusterNode.CpuCount)] = "computed: Resources.CpuCount",
        [nameof(ClusterNode.CpuLoad)] = "computed: Resources.CpuLoad",
        [nameof(ClusterNode.GpuCount)] = "computed: Resources.GpuCount",
        [nameof(ClusterNode.GpuAvailable)] = "computed: Resources.GpuAvailable",
        [nameof(ClusterNode.MemoryTotal)] = "computed: Resources.MemoryTotal",
        [nameof(ClusterNode.MemoryAvailable)] = "computed: Resources.MemoryAvailable",
        [nameof(ClusterNode.DiskTotal)] = "computed: Resources.DiskTotal",
        [nameof(ClusterNode.DiskAvailable)] = "computed: Resources.DiskAvailable",
        [nameof(ClusterNode.StatePath)] = "where the row was read from (a directory or a server URI), not data of the row",
    };
}
