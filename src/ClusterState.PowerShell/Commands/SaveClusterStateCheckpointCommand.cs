using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Writes a Parquet checkpoint of the current state and keeps the newest ones.</para>
/// <para type="description">Save-ClusterStateCheckpoint writes checkpoints/state_&lt;cluster_id&gt;_&lt;unix_seconds&gt;.parquet and state_&lt;cluster_id&gt;.parquet (the latest) in the state directory, both in the nested one-row schema with the seed's field names (pyarrow, DuckDB and Spark read them), records the latter as parquet_path in state_metadata.json (the key ipfs_kit_py reads), and deletes all but the newest -Keep checkpoints. Files are written under temporary names and renamed into place.</para>
/// </summary>
[Cmdlet(VerbsData.Save, "ClusterStateCheckpoint", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(CheckpointInfo))]
public sealed class SaveClusterStateCheckpointCommand : StateCmdlet
{
    /// <summary><para type="description">How many timestamped checkpoints to keep (default 10).</para></summary>
    [Parameter]
    [ValidateRange(1, 10_000)]
    public int Keep { get; set; } = 10;

    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() =>
    {
        var source = ResolveSource(StatePath);
        if (!ShouldProcess(source.Location, $"Write a Parquet checkpoint (keeping the newest {Keep})")) return;
        CheckpointInfo info;
        using (var progress = StartProgress(4, "Save-ClusterStateCheckpoint", $"Writing a checkpoint of {source.Location}"))
        {
            info = source.SaveCheckpoint(Keep, (done, total) => progress.Report(done, total, "columns"));
        }
        WriteObject(info);
    });
}
