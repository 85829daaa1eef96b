using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Makes a Parquet checkpoint the current state, as a normal atomic commit.</para>
/// <para type="description">Restore-ClusterState reads the checkpoint completely, checks that it belongs to the same cluster, and writes its content as the next generation of the state; readers that hold the previous snapshot keep reading it. A damaged checkpoint (CheckpointCorrupt) or one of another cluster (CheckpointClusterMismatch) changes nothing. Checkpoints from Get-ClusterStateCheckpoint bind through the pipeline (their Path and StatePath). Asks for confirmation by default.</para>
/// </summary>
[Cmdlet(VerbsData.Restore, "ClusterState", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(ClusterMetadata))]
public sealed class RestoreClusterStateCommand : StateCmdlet
{
    private readonly List<(string Checkpoint, string? State)> _items = new();

    /// <summary><para type="description">The checkpoint file (Get-ClusterStateCheckpoint objects bind by their Path).</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Path")]
    [ValidateNotNullOrEmpty]
    public string Checkpoint { get; set; } = "";

    /// <summary><para type="description">The state directory to restore into (default: the checkpoint's own state, then the session default).</para></summary>
    // -Path is the checkpoint's alias, so no -Path alias here; checkpoints bind their StatePath by property name.
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateStatePath]
    public override string? StatePath { get => BoundStatePath; set => BoundStatePath = value; }

    /// <inheritdoc />
    protected override void ProcessRecord() => _items.Add((Checkpoint, StatePath));

    /// <inheritdoc />
    protected override void EndProcessing() => Run(() =>
    {
        // Restoring several checkpoints in a row would leave only the last: restore the last given.
        if (_items.Count == 0) return;
        var (checkpoint, state) = _items.Last();
        var source = ResolveSource(state);
        // A server restores a checkpoint of its own folder, named by its file name.
        string file = source.IsRemote ? checkpoint : ResolveUserPath(checkpoint);
        if (!ShouldProcess(source.Location, $"Replace the current state with the checkpoint '{file}'")) return;
        source.Restore(new CheckpointInfo { Path = file });
        WriteObject(source.Describe());
    });
}
