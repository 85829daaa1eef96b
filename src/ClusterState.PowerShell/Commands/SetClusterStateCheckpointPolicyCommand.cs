using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

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
