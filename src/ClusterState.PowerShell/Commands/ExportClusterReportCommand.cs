using System;
using System.IO;
using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Writes a self-contained HTML report of a cluster state: topology graph, node utilization, tasks by status over types, content replication health.</para>
/// <para type="description">Export-ClusterReport writes one HTML page that needs no network to view: the topology of the busiest -MaxNodes nodes as an SVG graph (laid out by Graphviz dot when it is installed, else by a built-in layout with masters in the middle and workers and leechers on rings), a bar chart of CPU, memory, disk and GPU use per node, stacked bars of tasks by status for each type, and a chart of content by replication health (no provider, under-replicated, at target, over target). The file is written under a temporary name and renamed into place.</para>
/// </summary>
[Cmdlet(VerbsData.Export, "ClusterReport", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo))]
public sealed class ExportClusterReportCommand : StateFileWriterCmdlet
{
    /// <summary><para type="description">The HTML file to write.</para></summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";


    /// <summary><para type="description">At most this many nodes in the topology graph and the utilization chart, the busiest first (default 150).</para></summary>
    [Parameter]
    [ValidateRange(1, 5000)]
    public int MaxNodes { get; set; } = 150;

    /// <summary><para type="description">Use the built-in layout even when Graphviz is installed.</para></summary>
    [Parameter]
    public SwitchParameter NoGraphviz { get; set; }

    /// <summary><para type="description">Replace the file if it exists.</para></summary>
    [Parameter]
    public SwitchParameter Force { get; set; }


    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() =>
    {
        string target = ResolveUserPath(Path);
        var snapshot = OpenSnapshot(StatePath);
        if (!ShouldProcess(target, $"Write an HTML report of '{snapshot.ClusterId}' (generation {snapshot.Generation})")) return;
        using (var progress = StartProgress(10, "Export-ClusterReport", $"Writing {target}"))
        {
            ClusterReport.Write(snapshot, target, Force, new ClusterReportOptions
            {
                MaxNodes = MaxNodes,
                UseGraphviz = !NoGraphviz,
                Progress = (step, steps) => progress.Report(step, steps, "parts"),
            });
        }
        WritePassThru(target);
    });
}
