using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Exports the current state as a JSON document, an Arrow IPC file, or a directory of CSV or Parquet files.</para>
/// <para type="description">Export-ClusterState writes the whole state: -Format Json writes one JSON document with the schema's field names and ISO-8601 UTC timestamps (streamed, so a million tasks never exist as objects at once); -Format Arrow writes the snapshot's Arrow IPC file byte for byte, readable by pyarrow, arrow-js, Arrow C++ and Rust; -Format Csv treats -Path as a directory and writes nodes.csv, tasks.csv and content.csv, one row per item with resources as columns and lists joined by ';'; -Format Parquet (-Layout Flat) writes nodes.parquet, tasks.parquet and content.parquet the same way, with lists as Parquet LIST columns, millisecond UTC timestamps and row groups of 65,536 rows, for DuckDB, Spark or pandas; -Layout Nested writes one Parquet file in the state schema itself (the layout of checkpoints). Parquet is written column by column from the snapshot's Arrow buffers. Every file is written under a temporary name and renamed into place, so readers never see half an export.</para>
/// </summary>
[Cmdlet(VerbsData.Export, "ClusterState", SupportsShouldProcess = true)]
[OutputType(typeof(FileInfo))]
public sealed class ExportClusterStateCommand : StateFileWriterCmdlet
{
    /// <summary><para type="description">The file to write (for -Format Csv or Parquet, the directory that receives one file per entity).</para></summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary><para type="description">Json (default), Arrow, Csv or Parquet.</para></summary>
    [Parameter(Position = 1)]
    public ExportFormat Format { get; set; } = ExportFormat.Json;

    /// <summary><para type="description">The Parquet layout: Flat (default), a directory with one file per entity and one row per item, the layout query engines scan fast; Nested, one file at -Path in the state schema itself (one row of lists of structs), the layout of checkpoints.</para></summary>
    [Parameter]
    public ParquetLayout Layout { get; set; } = ParquetLayout.Flat;


    /// <summary><para type="description">Replace the file if it exists.</para></summary>
    [Parameter]
    public SwitchParameter Force { get; set; }


    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() =>
    {
        string target = ResolveUserPath(Path);
        var snapshot = OpenSnapshot(StatePath);
        if (!ShouldProcess(target, $"Export cluster state '{snapshot.ClusterId}' (generation {snapshot.Generation}) as {Format}")) return;
        IReadOnlyList<string> files;
        using (var progress = StartProgress(2, "Export-ClusterState", $"Writing {target}"))
        {
            bool nested = Format == ExportFormat.Parquet && Layout == ParquetLayout.Nested;
            files = StateExport.Write(snapshot, target, nested ? ExportFormat.ParquetNested : Format, Force,
                (done, total) => progress.Report(done, total, nested ? "columns" : "rows"));
        }
        WritePassThru(files.ToArray());
    });
}
