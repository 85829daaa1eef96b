using System.Collections.Generic;
using System.Collections.Specialized;
using System.Linq;
using ClusterState.Schema;
using N = ClusterState.ClusterSchema.Names;

namespace ClusterState;

/// <summary>The whole state as nested ordered dictionaries with the schema's field names (<c>get_cluster_state_as_dict</c>).</summary>
public static class StateHashtable
{
    /// <summary>Builds the dictionary of a snapshot.</summary>
    public static OrderedDictionary Build(ClusterSnapshot snapshot)
    {
        // Each item through its entity's field table, in view order (Schema/NodeFields, TaskFields, ContentFields).
        var nodes = snapshot.FindNodes(new NodeQuery()).Items.Select(n => (object)Dict(NodeFields.Table.View(n))).ToArray();
        var tasks = snapshot.FindTasks(new TaskQuery()).Items.Select(t => (object)Dict(TaskFields.Table.View(t))).ToArray();
        var content = snapshot.FindContent(new ContentQuery()).Items.Select(c => (object)Dict(ContentFields.Table.View(c))).ToArray();
        return Dict((N.ClusterId, snapshot.ClusterId), (N.MasterId, snapshot.MasterId), (N.UpdatedAt, snapshot.UpdatedAt),
            (N.Nodes, nodes), (N.Tasks, tasks), (N.Content, content));
    }

    private static OrderedDictionary Dict(KeyValuePair<string, object?>[] view)
    {
        var d = new OrderedDictionary(view.Length, System.StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in view) d.Add(key, value is KeyValuePair<string, object?>[] nested ? Dict(nested) : value);
        return d;
    }

    private static OrderedDictionary Dict(params (string Key, object? Value)[] entries)
    {
        var d = new OrderedDictionary(entries.Length, System.StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in entries) d.Add(key, value);
        return d;
    }
}
