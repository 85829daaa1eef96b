using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;

namespace ClusterState;

/// <summary>
/// One self-contained HTML page about a state (Export-ClusterReport): the topology graph, node
/// utilization, tasks by status over types and content replication health, all as inline SVG
/// (no script or style from the network). The charts are plain SVG made here: a charting
/// library would bring a native graphics stack into the module for four bar charts.
/// </summary>
public static class ClusterReport
{
    private static readonly Dictionary<string, string> StatusColor = new(StringComparer.Ordinal)
    {
        [Vocabularies.Pending] = "#9e9e9e", [Vocabularies.Assigned] = "#64b5f6", [Vocabularies.Running] = "#1e88e5",
        [Vocabularies.Completed] = "#43a047", [Vocabularies.Failed] = "#e53935", [Vocabularies.Cancelled] = "#8d6e63",
    };
    private static readonly Dictionary<string, string> RoleColor = new(StringComparer.Ordinal)
    {
        [Vocabularies.Master] = "#8e24aa", [Vocabularies.Worker] = "#1e88e5", [Vocabularies.Leecher] = "#fb8c00",
    };

    /// <summary>Builds the page.</summary>
    public static string Build(ClusterSnapshot snapshot, ClusterReportOptions? options = null)
    {
        options ??= new ClusterReportOptions();
        const int Steps = 5;
        options.Progress?.Invoke(0, Steps);
        var status = ClusterAnalysis.GetStatus(snapshot);
        var utilization = ClusterAnalysis.GetUtilization(snapshot, new NodeQuery()).Items.ToList();
        options.Progress?.Invoke(1, Steps);
        var topology = ClusterAnalysis.GetTopology(snapshot);
        var shown = utilization.OrderByDescending(u => u.ActiveTasks).ThenByDescending(u => u.LoadIndex ?? 0)
            .ThenBy(u => u.NodeId, StringComparer.Ordinal).Take(options.MaxNodes).Select(u => u.NodeId).ToHashSet(StringComparer.Ordinal);
        var (topologySvg, layout) = TopologySvg(topology, shown, options.UseGraphviz);
        options.Progress?.Invoke(2, Steps);
        string utilizationSvg = UtilizationSvg(utilization.Where(u => shown.Contains(u.NodeId)).ToList());
        options.Progress?.Invoke(3, Steps);
        string tasksSvg = TasksSvg(TasksByTypeAndStatus(snapshot));
        options.Progress?.Invoke(4, Steps);
        string replicationSvg = ReplicationSvg(snapshot);

        var html = new StringBuilder();
        string title = $"Cluster {snapshot.ClusterId}";
        html.Append(CultureInfo.InvariantCulture, $$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>{{E(title)}}</title>
            <meta name="generator" content="ClusterState">
            <style>
            body { font-family: system-ui, sans-serif; margin: 24px; color: #222; }
            h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; }
            table.facts td { padding: 2px 14px 2px 0; } .note { color: #666; font-size: 12px; }
            section { max-width: 1200px; } svg text { font-family: system-ui, sans-serif; }
            </style></head>
            <body>
            <h1>{{E(title)}}</h1>
            <table class="facts">
            <tr><td>Generation</td><td id="generation">{{snapshot.Generation}}</td><td>Updated</td><td>{{E(snapshot.UpdatedAt?.ToString("u", CultureInfo.InvariantCulture) ?? "-")}}</td></tr>
            <tr><td>Nodes</td><td id="node-count">{{status.NodesTotal:N0}} ({{status.NodesActive:N0}} online)</td><td>Tasks</td><td id="task-count">{{status.TasksTotal:N0}}</td></tr>
            <tr><td>Content</td><td id="content-count">{{status.ContentTotal:N0}} ({{status.ContentSizeGiB:N2}} GiB)</td><td>Generated</td><td>{{(options.Now ?? DateTime.UtcNow).ToString("u", CultureInfo.InvariantCulture)}}</td></tr>
            </table>
            <section id="topology"><h2>Topology</h2>
            <p class="note">{{shown.Count:N0}} of {{topology.Nodes.Count:N0}} nodes (the busiest), peer links between them; colour by role, outline dashed when not online. Layout: {{layout}}.</p>
            {{topologySvg}}
            </section>
            <section id="utilization"><h2>Utilization per node</h2>
            <p class="note">CPU, memory, disk and GPU use of each node shown above (0–100 %), busiest first.</p>
            {{utilizationSvg}}
            </section>
            <section id="tasks"><h2>Tasks by status over types</h2>
            {{tasksSvg}}
            </section>
            <section id="replication"><h2>Content replication health</h2>
            <p class="note">Providers a CID has against its replication target.</p>
            {{replicationSvg}}
            </section>
            <script>
            // Marks the page as rendered (tests read it from the DOM); counts the charts drawn.
            document.body.dataset.charts = String(document.querySelectorAll('section svg').length);
            document.body.dataset.ready = 'yes';
            </script>
            </body></html>
            """);
        options.Progress?.Invoke(Steps, Steps);
        return html.ToString();
    }

    /// <summary>Writes the page to <paramref name="path"/> atomically; an existing file is replaced only with <paramref name="overwrite"/> (else ExportTargetExists).</summary>
    public static void Write(ClusterSnapshot snapshot, string path, bool overwrite, ClusterReportOptions? options = null)
    {
        path = Path.GetFullPath(path);
        StateExport.RefuseExisting(path, overwrite);
        string html = Build(snapshot, options);
        StateExport.WriteFile(path, overwrite, stream =>
        {
            var bytes = new UTF8Encoding(false).GetBytes(html);
            stream.Write(bytes, 0, bytes.Length);
        });
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    // --- topology ---

    private static (string Svg, string Layout) TopologySvg(ClusterTopology topology, HashSet<string> shown, bool useGraphviz)
    {
        var nodes = topology.Nodes.Where(n => shown.Contains(n.Id)).ToList();
        var links = topology.Connections.Where(c => shown.Contains(c.Source) && shown.Contains(c.Target)).ToList();
        if (useGraphviz && Graphviz(nodes, links) is string svg) return (svg, "Graphviz dot");
        return (BuiltInTopology(nodes, links), "built-in (rings by role; install Graphviz for dot)");
    }

    private static string? Graphviz(List<TopologyNode> nodes, List<TopologyConnection> links)
    {
        var dot = new StringBuilder("graph cluster {\n  graph [layout=neato, overlap=false, splines=true, outputorder=edgesfirst];\n  node [shape=circle, style=filled, fontsize=8, width=0.3, label=\"\"];\n");
        foreach (var n in nodes)
        {
            string color = RoleColor.GetValueOrDefault(n.Role ?? "", "#757575");
            dot.Append(CultureInfo.InvariantCulture, $"  \"{Quote(n.Id)}\" [fillcolor=\"{color}\", tooltip=\"{Quote(n.Id)} ({Quote(n.Role ?? "")}, {Quote(n.Status ?? "")})\"{(n.Status == Vocabularies.Online ? "" : ", style=\"filled,dashed\"")}];\n");
        }
        foreach (var l in links) dot.Append(CultureInfo.InvariantCulture, $"  \"{Quote(l.Source)}\" -- \"{Quote(l.Target)}\" [color=\"#bbbbbb\"];\n");
        dot.Append("}\n");
        try
        {
            var start = new ProcessStartInfo("dot", "-Tsvg") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var process = Process.Start(start);
            if (process is null) return null;
            var output = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            process.StandardInput.Write(dot.ToString());
            process.StandardInput.Close();
            if (!process.WaitForExit(20_000))
            {
                process.Kill(entireProcessTree: true);
                return null;
            }
            if (process.ExitCode != 0) return null;
            string svg = output.Result;
            int at = svg.IndexOf("<svg", StringComparison.Ordinal);
            return at < 0 ? null : svg[at..].Replace("<svg ", "<svg id=\"topology-graph\" ", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
        {
            return null; // not installed or not runnable: the built-in layout draws it
        }
    }

    private static string Quote(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    /// <summary>Masters in the middle, then workers, then leechers and the rest on rings around them.</summary>
    private static string BuiltInTopology(List<TopologyNode> nodes, List<TopologyConnection> links)
    {
        const double Size = 640, Centre = Size / 2;
        var rings = nodes.GroupBy(n => n.Role switch { Vocabularies.Master => 0, Vocabularies.Worker => 1, Vocabularies.Leecher => 2, _ => 3 }).OrderBy(g => g.Key).ToList();
        var position = new Dictionary<string, (double X, double Y)>(StringComparer.Ordinal);
        int ringIndex = 0;
        foreach (var ring in rings)
        {
            var members = ring.ToList();
            double radius = members.Count == 1 && ringIndex == 0 ? 0 : 60 + 230.0 * (ringIndex + (ring.Key == 0 ? 0 : 1)) / Math.Max(1, rings.Count);
            for (int i = 0; i < members.Count; i++)
            {
                double angle = 2 * Math.PI * i / members.Count;
                position[members[i].Id] = (Centre + radius * Math.Cos(angle), Centre + radius * Math.Sin(angle));
            }
            ringIndex++;
        }
        var svg = new StringBuilder($"<svg id=\"topology-graph\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{Size}\" height=\"{Size}\" viewBox=\"0 0 {Size} {Size}\">");
        foreach (var l in links)
        {
            var (x1, y1) = position[l.Source];
            var (x2, y2) = position[l.Target];
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"link\" x1=\"{F(x1)}\" y1=\"{F(y1)}\" x2=\"{F(x2)}\" y2=\"{F(y2)}\" stroke=\"#cccccc\" stroke-width=\"0.6\"/>");
        }
        foreach (var n in nodes)
        {
            var (x, y) = position[n.Id];
            string color = RoleColor.GetValueOrDefault(n.Role ?? "", "#757575");
            string dash = n.Status == Vocabularies.Online ? "" : " stroke-dasharray=\"2,2\"";
            svg.Append(CultureInfo.InvariantCulture, $"<circle class=\"node\" cx=\"{F(x)}\" cy=\"{F(y)}\" r=\"{(n.Role == Vocabularies.Master ? 9 : 5)}\" fill=\"{color}\" stroke=\"#333\" stroke-width=\"0.8\"{dash}><title>{E(n.Id)} ({E(n.Role ?? "")}, {E(n.Status ?? "")})</title></circle>");
        }
        int legend = 16;
        foreach (var (role, color) in RoleColor)
        {
            svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"14\" cy=\"{legend}\" r=\"5\" fill=\"{color}\"/><text x=\"24\" y=\"{legend + 4}\" font-size=\"12\">{role}</text>");
            legend += 18;
        }
        return svg.Append("</svg>").ToString();
    }

    // --- charts ---

    private static string UtilizationSvg(List<NodeUtilization> nodes)
    {
        var metrics = new (string Name, string Color, Func<NodeUtilization, double?> Get)[]
        {
            ("CPU", "#1e88e5", u => u.CpuUtilization), ("memory", "#43a047", u => u.MemoryUtilization),
            ("disk", "#fb8c00", u => u.DiskUtilization), ("GPU", "#8e24aa", u => u.GpuUtilization),
        };
        var rows = nodes.OrderByDescending(u => u.LoadIndex ?? 0).ThenBy(u => u.NodeId, StringComparer.Ordinal).Take(40).ToList();
        const int Left = 230, BarWidth = 560, Bar = 4, RowHeight = 4 * Bar + 6, Top = 28;
        int height = Top + rows.Count * RowHeight + 10;
        var svg = new StringBuilder($"<svg id=\"utilization-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{Left + BarWidth + 60}\" height=\"{height}\">");
        for (int k = 0; k < metrics.Length; k++)
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left + k * 90}\" y=\"6\" width=\"10\" height=\"10\" fill=\"{metrics[k].Color}\"/><text x=\"{Left + k * 90 + 14}\" y=\"15\" font-size=\"11\">{metrics[k].Name}</text>");
        for (int i = 0; i < rows.Count; i++)
        {
            int y = Top + i * RowHeight;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{y + 2 * Bar + 4}\" font-size=\"10\" text-anchor=\"end\">{E(Short(rows[i].NodeId))}</text>");
            for (int k = 0; k < metrics.Length; k++)
            {
                if (metrics[k].Get(rows[i]) is not double v) continue;
                svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar\" x=\"{Left}\" y=\"{y + k * Bar}\" width=\"{F(Math.Clamp(v, 0, 1) * BarWidth)}\" height=\"{Bar - 0.5}\" fill=\"{metrics[k].Color}\"><title>{E(rows[i].NodeId)} {metrics[k].Name} {v:P0}</title></rect>");
            }
        }
        return svg.Append("</svg>").ToString();
    }

    private static string Short(string id) => id.Length <= 32 ? id : id[..14] + "…" + id[^14..];

    private static SortedDictionary<string, Dictionary<string, int>> TasksByTypeAndStatus(ClusterSnapshot snapshot)
    {
        var byType = new SortedDictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        foreach (var ((status, type), count) in Analysis.TaskStatistics.CountByStatusAndType(snapshot))
        {
            if (!byType.TryGetValue(type ?? "(none)", out var counts)) byType[type ?? "(none)"] = counts = new Dictionary<string, int>(StringComparer.Ordinal);
            counts[status ?? "(none)"] = counts.GetValueOrDefault(status ?? "(none)") + count;
        }
        return byType;
    }

    private static string TasksSvg(SortedDictionary<string, Dictionary<string, int>> byType)
    {
        // The vocabulary's order first, then the statuses outside it, sorted.
        var statuses = Vocabularies.TaskStatuses.Concat(byType.Values.SelectMany(c => c.Keys).Where(s => !Vocabularies.TaskStatuses.Contains(s)).Distinct().OrderBy(s => s, StringComparer.Ordinal)).ToList();
        int max = Math.Max(1, byType.Values.Select(c => c.Values.Sum()).DefaultIfEmpty(0).Max());
        const int Left = 200, BarWidth = 600, RowHeight = 24, Top = 30;
        var svg = new StringBuilder($"<svg id=\"tasks-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{Left + BarWidth + 90}\" height=\"{Top + byType.Count * RowHeight + 10}\">");
        for (int k = 0; k < statuses.Count; k++)
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left + k * 95}\" y=\"6\" width=\"10\" height=\"10\" fill=\"{StatusColor.GetValueOrDefault(statuses[k], "#bdbdbd")}\"/><text x=\"{Left + k * 95 + 14}\" y=\"15\" font-size=\"11\">{E(statuses[k])}</text>");
        int row = 0;
        foreach (var (type, counts) in byType)
        {
            int y = Top + row++ * RowHeight;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{y + 15}\" font-size=\"11\" text-anchor=\"end\">{E(type)}</text>");
            double x = Left;
            foreach (var s in statuses)
            {
                if (!counts.TryGetValue(s, out int n) || n == 0) continue;
                double w = (double)n / max * BarWidth;
                svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar\" x=\"{F(x)}\" y=\"{y}\" width=\"{F(Math.Max(w, 0.5))}\" height=\"{RowHeight - 6}\" fill=\"{StatusColor.GetValueOrDefault(s, "#bdbdbd")}\"><title>{E(type)}: {n:N0} {E(s)}</title></rect>");
                x += w;
            }
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(x + 6)}\" y=\"{y + 15}\" font-size=\"11\">{counts.Values.Sum():N0}</text>");
        }
        return svg.Append("</svg>").ToString();
    }

    private static string ReplicationSvg(ClusterSnapshot snapshot)
    {
        var entries = ClusterAnalysis.GetContentMap(snapshot, new ContentQuery()).Items;
        int under = 0, met = 0, over = 0, none = 0, unknown = 0;
        foreach (var e in entries)
        {
            if (e.ProviderCount == 0) none++;
            else if (e.Replication is not int r) unknown++;
            else if (e.ProviderCount < r) under++;
            else if (e.ProviderCount == r) met++;
            else over++;
        }
        var bars = new (string Label, int Count, string Color)[]
        {
            ("no provider", none, "#e53935"), ("under-replicated", under, "#fb8c00"), ("at target", met, "#43a047"),
            ("over target", over, "#1e88e5"), ("no target", unknown, "#9e9e9e"),
        };
        int max = Math.Max(1, bars.Max(b => b.Count));
        const int Left = 160, BarWidth = 560, RowHeight = 26;
        var svg = new StringBuilder($"<svg id=\"replication-chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{Left + BarWidth + 100}\" height=\"{bars.Length * RowHeight + 10}\">");
        for (int i = 0; i < bars.Length; i++)
        {
            int y = 4 + i * RowHeight;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left - 6}\" y=\"{y + 15}\" font-size=\"11\" text-anchor=\"end\">{bars[i].Label}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar\" x=\"{Left}\" y=\"{y}\" width=\"{F(Math.Max(0.5, (double)bars[i].Count / max * BarWidth))}\" height=\"{RowHeight - 8}\" fill=\"{bars[i].Color}\"><title>{bars[i].Label}: {bars[i].Count:N0}</title></rect>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(Left + (double)bars[i].Count / max * BarWidth + 6)}\" y=\"{y + 15}\" font-size=\"11\" class=\"count\">{bars[i].Count:N0}</text>");
        }
        return svg.Append("</svg>").ToString();
    }
}
