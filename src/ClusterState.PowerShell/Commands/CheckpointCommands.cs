using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Writes a Parquet checkpoint of the current state and keeps the newest ones.</para>
/// <para type="description">Save-ClusterStateCheckpoint writes checkpoints/state_&lt;cluster_id&gt;_&lt;unix_seconds&gt;.parquet and state_&lt;cluster_id&gt;.parquet (the latest) in the state directory, both in the nested one-row schema with the seed's field names (pyarrow, DuckDB and Spark read them), records the latter as parquet_path in state_metadata.json (the key ipfs_kit_py reads), and deletes all but the newest -Keep checkpoints. Files are written under temporary names and renamed into place.</para>
/// </summary>
[Cmdlet(VerbsData.Save, "ClusterStateCheckpoint", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(CheckpointInfo))]
public sealed class SaveClusterStateCheckpointCommand : StateReadingCmdlet
{
    /// <summary><para type="description">How many timestamped checkpoints to keep (default 10).</para></summary>
    [Parameter]
    [ValidateRange(1, 10_000)]
    public int Keep { get; set; } = 10;

    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() =>
    {
        string dir = ResolveStateDirectory(StatePath);
        if (!ShouldProcess(dir, $"Write a Parquet checkpoint (keeping the newest {Keep})")) return;
        var progress = new ProgressRecord(4, "Save-ClusterStateCheckpoint", $"Writing a checkpoint of {dir}") { PercentComplete = 10 };
        WriteProgress(progress);
        var info = Checkpoints.Save(dir, Keep);
        progress.RecordType = ProgressRecordType.Completed;
        WriteProgress(progress);
        WriteObject(info);
    });
}

/// <summary>
/// <para type="synopsis">Lists the Parquet checkpoints of a state, newest first.</para>
/// <para type="description">Get-ClusterStateCheckpoint lists checkpoints/state_*.parquet of the state directory with their cluster id, time and size, newest first. Pipe one into Restore-ClusterState to make it the current state.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "ClusterStateCheckpoint")]
[OutputType(typeof(CheckpointInfo))]
public sealed class GetClusterStateCheckpointCommand : StateReadingCmdlet
{
    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() =>
        WriteObject(Checkpoints.List(ResolveStateDirectory(StatePath)), enumerateCollection: true));
}

/// <summary>
/// <para type="synopsis">Makes a Parquet checkpoint the current state, as a normal atomic commit.</para>
/// <para type="description">Restore-ClusterState reads the checkpoint completely, checks that it belongs to the same cluster, and writes its content as the next generation of the state; readers that hold the previous snapshot keep reading it. A damaged checkpoint (CheckpointCorrupt) or one of another cluster (CheckpointClusterMismatch) changes nothing. Checkpoints from Get-ClusterStateCheckpoint bind through the pipeline (their Path and StatePath). Asks for confirmation by default.</para>
/// </summary>
[Cmdlet(VerbsData.Restore, "ClusterState", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(ClusterMetadata))]
public sealed class RestoreClusterStateCommand : ClusterStateCmdlet
{
    private readonly List<(string Checkpoint, string? State)> _items = new();

    /// <summary><para type="description">The checkpoint file (Get-ClusterStateCheckpoint objects bind by their Path).</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Path")]
    [ValidateNotNullOrEmpty]
    public string Checkpoint { get; set; } = "";

    /// <summary><para type="description">The state directory to restore into (default: the checkpoint's own state, then the session default).</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? StatePath { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord() => _items.Add((Checkpoint, StatePath));

    /// <inheritdoc />
    protected override void EndProcessing() => Run(() =>
    {
        // Restoring several checkpoints in a row would leave only the last: restore the last given.
        if (_items.Count == 0) return;
        var (checkpoint, state) = _items.Last();
        string file = ResolveUserPath(checkpoint);
        string dir = ResolveStateDirectory(state);
        if (!ShouldProcess(dir, $"Replace the current state with the checkpoint '{file}'")) return;
        Checkpoints.Restore(dir, file);
        using var snapshot = ClusterSnapshot.Open(dir);
        WriteObject(ClusterMetadata.From(snapshot));
    });
}
