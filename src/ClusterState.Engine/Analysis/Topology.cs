using ClusterState.Storage;
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using ClusterState.Query;

namespace ClusterState.Analysis;

/// <summary>
/// The network topology of SPEC.md §3: one entry per node and one undirected connection per pair
/// that either side lists as a peer (the seed dropped a link listed only by the node with the
/// larger id). Peers that are not nodes of the state are kept as external connections.
/// </summary>
internal static class Topology
{
    private const double GiB = 1024d * 1024 * 1024;

    public static ClusterTopology Build(ClusterSnapshot snapshot)
    {
        var c = snapshot.Nodes;
        var index = SnapshotIndexes.NodeIds(snapshot);
        var nodes = new List<TopologyNode>(c.Count);
        var connections = new List<TopologyConnection>();
        var seenPairs = new HashSet<(int, int)>();
        var seenExternal = new HashSet<(int, string)>();
        var external = new List<string>();
        var externalSet = new HashSet<string>(StringComparer.Ordinal);
        foreach (int i in c.Rows)
        {
            string id = c.Id.Get(i) ?? "";
            long? memory = c.MemoryTotal.Get(i);
            nodes.Add(new TopologyNode
            {
                Id = id,
                Role = c.Role.Get(i),
                Status = c.Status.Get(i),
                CpuCount = c.CpuCount.GetInt32(i),
                MemoryGiB = memory is long m ? Math.Round(m / GiB, 2) : null,
                GpuCount = c.GpuCount.GetInt32(i),
            });
            var peers = c.Peers.Elements(i);
            for (int k = 0; k < peers.Count; k++)
            {
                var peer = peers[k];
                int j = index.Find(peer);
                if (j == i) continue;
                if (j >= 0)
                {
                    if (seenPairs.Add((Math.Min(i, j), Math.Max(i, j))))
                        connections.Add(new TopologyConnection { Source = id, Target = c.Id.Get(j) ?? "" });
                }
                else
                {
                    string peerId = Encoding.UTF8.GetString(peer);
                    if (seenExternal.Add((i, peerId))) connections.Add(new TopologyConnection { Source = id, Target = peerId, External = true });
                    if (externalSet.Add(peerId)) external.Add(peerId);
                }
            }
        }
        return new ClusterTopology { Nodes = nodes, Connections = connections, ExternalPeers = external };
    }

    /// <summary>Graphviz DOT: an undirected graph, roles as shapes, offline nodes dashed, external peers dotted.</summary>
    public static string ToDot(ClusterTopology topology, string name)
    {
        var sb = new StringBuilder();
        sb.Append("graph ").Append(Quote(name)).AppendLine(" {");
        sb.AppendLine("  graph [layout=neato, overlap=false];");
        sb.AppendLine("  node [fontname=\"Helvetica\", fontsize=10];");
        foreach (var n in topology.Nodes)
        {
            string shape = n.Role switch { Vocabularies.Master => "doubleoctagon", Vocabularies.Worker => "box", Vocabularies.Leecher => "ellipse", _ => "plaintext" };
            string style = n.Status == Vocabularies.Online ? "solid" : "dashed";
            sb.Append("  ").Append(Quote(n.Id)).Append(" [label=").Append(Quote($"{Short(n.Id)}\n{n.Role} ({n.Status})"))
              .Append(", shape=").Append(shape).Append(", style=").Append(style).AppendLine("];");
        }
        foreach (var p in topology.ExternalPeers)
        {
            sb.Append("  ").Append(Quote(p)).Append(" [label=").Append(Quote(Short(p) + "\nexternal")).AppendLine(", shape=ellipse, style=dotted];");
        }
        foreach (var e in topology.Connections)
        {
            sb.Append("  ").Append(Quote(e.Source)).Append(" -- ").Append(Quote(e.Target));
            sb.AppendLine(e.External ? " [style=dotted];" : ";");
        }
        sb.AppendLine("}");
        return sb.ToString();
    }

    /// <summary>Mermaid flowchart: nodes get short ids (n0, x0) with the peer id as label.</summary>
    public static string ToMermaid(ClusterTopology topology)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        var sb = new StringBuilder("graph LR\n");
        for (int i = 0; i < topology.Nodes.Count; i++)
        {
            var n = topology.Nodes[i];
            string key = "n" + i.ToString(CultureInfo.InvariantCulture);
            ids.TryAdd(n.Id, key);
            string label = Escape($"{Short(n.Id)}<br/>{n.Role} ({n.Status})");
            sb.Append("  ").Append(key).Append(n.Role == Vocabularies.Master ? "{{\"" : "[\"").Append(label).Append(n.Role == Vocabularies.Master ? "\"}}" : "\"]").Append('\n');
        }
        for (int i = 0; i < topology.ExternalPeers.Count; i++)
        {
            string key = "x" + i.ToString(CultureInfo.InvariantCulture);
            ids.TryAdd(topology.ExternalPeers[i], key);
            sb.Append("  ").Append(key).Append("([\"").Append(Escape(Short(topology.ExternalPeers[i]) + "<br/>external")).Append("\"])\n");
        }
        foreach (var e in topology.Connections)
        {
            sb.Append("  ").Append(ids[e.Source]).Append(e.External ? " -.- " : " --- ").Append(ids[e.Target]).Append('\n');
        }
        return sb.ToString();
    }

    private static string Short(string id) => id.Length > 16 ? id[..8] + "…" + id[^6..] : id;

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"";

    private static string Escape(string s) => s.Replace("\"", "#quot;", StringComparison.Ordinal);
}
