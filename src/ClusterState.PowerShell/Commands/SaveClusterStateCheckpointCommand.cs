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

/// <summary>
/// <para type="synopsis">Sets or removes the automatic checkpoint policy of a state.</para>
/// <para type="description">Set-ClusterStateCheckpointPolicy stores a policy in state_metadata.json (checkpoint_policy): after a commit by any process that uses the module, a Parquet checkpoint is written once -EveryCommits generations or -EverySeconds seconds have passed since the latest checkpoint, keeping the newest -Keep. The check runs after each commit (a state that does not change needs no new checkpoint); the committing command writes the checkpoint after its commit, with progress, and a process that finds another one writing a checkpoint skips it. -Disable removes the policy. Changing the policy does not change the generation.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "ClusterStateCheckpointPolicy", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = PolicySet)]
[OutputType(typeof(CheckpointPolicy))]
public sealed class SetClusterStateCheckpointPolicyCommand : StateCmdlet
{
    private const string PolicySet = "Policy";
    private const string DisableSet = "Disable";

    /// <summary><para type="description">Checkpoint after this many commits since the latest checkpoint.</para></summary>
    [Parameter(ParameterSetName = PolicySet)]
    [ValidateRange(1, int.MaxValue)]
    public int EveryCommits { get; set; }

    /// <summary><para type="description">Checkpoint at the first commit once the latest checkpoint is this many seconds old.</para></summary>
    [Parameter(ParameterSetName = PolicySet)]
    [ValidateRange(1, int.MaxValue)]
    public int EverySeconds { get; set; }

    /// <summary><para type="description">How many timestamped checkpoints the policy keeps (default 10).</para></summary>
    [Parameter(ParameterSetName = PolicySet)]
    [ValidateRange(1, 10_000)]
    public int Keep { get; set; } = 10;

    /// <summary><para type="description">Remove the policy: no more automatic checkpoints.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = DisableSet)]
    public SwitchParameter Disable { get; set; }

    /// <summary><para type="description">Emit the policy that was set.</para></summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() =>
    {
        var source = ResolveSource(StatePath);
        CheckpointPolicy? policy = null;
        if (!Disable)
        {
            bool commits = MyInvocation.BoundParameters.ContainsKey(nameof(EveryCommits));
            bool seconds = MyInvocation.BoundParameters.ContainsKey(nameof(EverySeconds));
            if (!commits && !seconds)
            {
                ThrowTerminatingError(new ErrorRecord(new System.ArgumentException("Give -EveryCommits, -EverySeconds or both (or -Disable)."),
                    ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, null));
            }
            policy = new CheckpointPolicy { EveryCommits = commits ? EveryCommits : null, EverySeconds = seconds ? EverySeconds : null, Keep = Keep };
        }
        if (!ShouldProcess(source.Location, policy is null ? "Remove the automatic checkpoint policy" : $"Checkpoint automatically {policy}")) return;
        source.SetCheckpointPolicy(policy);
        if (PassThru && policy is not null) WriteObject(policy);
    });
}

/// <summary>
/// <para type="synopsis">Lists the Parquet checkpoints of a state, newest first.</para>
/// <para type="description">Get-ClusterStateCheckpoint lists checkpoints/state_*.parquet of the state directory with their cluster id, time and size, newest first. Pipe one into Restore-ClusterState to make it the current state.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "ClusterStateCheckpoint")]
[OutputType(typeof(CheckpointInfo))]
public sealed class GetClusterStateCheckpointCommand : StateCmdlet
{
    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() =>
        WriteObject(ResolveSource(StatePath).ListCheckpoints(), enumerateCollection: true));
}

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
    [ValidateNotNullOrEmpty]
    public override string? StatePath { get; set; }

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
