using System.Collections.Specialized;
using System.Linq;
using N = ClusterState.ClusterSchema.Names;

namespace ClusterState;

/// <summary>The whole state as nested ordered dictionaries with the schema's field names (<c>get_cluster_state_as_dict</c>).</summary>
public static class StateHashtable
{
    /// <summary>Builds the dictionary of a snapshot.</summary>
    public static OrderedDictionary Build(ClusterSnapshot snapshot)
    {
        var nodes = snapshot.FindNodes(new NodeQuery()).Items.Select(n => (object)Dict(
            (N.Id, n.Id), (N.Role, n.Role), (N.Status, n.Status), (N.Peers, n.Peers), (N.Capabilities, n.Capabilities),
            (N.Resources, n.Resources is null ? null : Dict(
                (N.CpuCount, n.CpuCount), (N.CpuLoad, n.CpuLoad), (N.GpuCount, n.GpuCount), (N.GpuAvailable, n.GpuAvailable),
                (N.MemoryTotal, n.MemoryTotal), (N.MemoryAvailable, n.MemoryAvailable), (N.DiskTotal, n.DiskTotal), (N.DiskAvailable, n.DiskAvailable))))).ToArray();
        var tasks = snapshot.FindTasks(new TaskQuery()).Items.Select(t => (object)Dict(
            (N.Id, t.Id), (N.Type, t.Type), (N.Status, t.Status), (N.CreatedAt, t.CreatedAt), (N.UpdatedAt, t.UpdatedAt),
            (N.StartedAt, t.StartedAt), (N.CompletedAt, t.CompletedAt), (N.AssignedTo, t.AssignedTo),
            (N.Resources, t.Resources is null ? null : Dict((N.CpuCores, t.CpuCores), (N.GpuCores, t.GpuCores), (N.MemoryMb, t.MemoryMB))),
            (N.InputCid, t.InputCid), (N.OutputCid, t.OutputCid), (N.InputCids, t.InputCids), (N.OutputCids, t.OutputCids))).ToArray();
        var content = snapshot.FindContent(new ContentQuery()).Items.Select(c => (object)Dict(
            (N.Cid, c.Cid), (N.Size, c.Size), (N.CreatedAt, c.CreatedAt), (N.Providers, c.Providers), (N.Pinned, c.Pinned),
            (N.Replication, c.Replication))).ToArray();
        return Dict((N.ClusterId, snapshot.ClusterId), (N.MasterId, snapshot.MasterId), (N.UpdatedAt, snapshot.UpdatedAt),
            (N.Nodes, nodes), (N.Tasks, tasks), (N.Content, content));
    }

    private static OrderedDictionary Dict(params (string Key, object? Value)[] entries)
    {
        var d = new OrderedDictionary(entries.Length, System.StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in entries) d.Add(key, value);
        return d;
    }
}
