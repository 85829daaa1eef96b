using System;
using System.Linq;
using System.Management.Automation;
using System.Threading;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Emits a change object for every commit to a cluster state, as it happens.</para>
/// <para type="description">Watch-ClusterState watches state_metadata.json (a small file every commit replaces; the snapshot is never read) and emits one ClusterStateChange per new generation, in order, read from the commit record that generation appended to the state's commit log: the generation, when it was committed, per entity (Nodes, Tasks, Content) how many items were added, changed and removed with all their ids, and the changed objects themselves — ChangedNodes, ChangedTasks and ChangedContent hold the complete new version of every item the commit added or changed, the same objects Get-ClusterNode, Get-ClusterTask and Get-ClusterContent return. A restore, import or migration is reported with Replaced = $true and no objects. A commit whose record is no longer in any log the watcher can read (a compaction folded it into a new base and the old log was removed before it was seen, or -AfterGeneration reaches further back than the log) is reported with Known = $false: nothing is guessed. A running watcher keeps open the logs it has seen (the newest eight), so commits that a compaction folds away while it runs are still reported. It starts at the current generation and runs until -Count changes were emitted, -Timeout seconds passed, or Ctrl+C. Connected to a ClusterState server (Connect-ClusterState -Uri), it receives the same changes and objects from the server, which watches its state directory and answers a long poll at each commit.</para>
/// </summary>
[Cmdlet(VerbsCommon.Watch, "ClusterState")]
[OutputType(typeof(ClusterStateChange))]
public sealed class WatchClusterStateCommand : StateCmdlet
{
    private readonly CancellationTokenSource _stop = new();

    /// <summary><para type="description">Stop after this many changes.</para></summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Count { get; set; } = int.MaxValue;

    /// <summary><para type="description">Stop after this many seconds (default: watch until -Count or Ctrl+C).</para></summary>
    [Parameter]
    [ValidateRange(0.001, 31_536_000)]
    public double Timeout { get; set; } = double.PositiveInfinity;

    /// <summary><para type="description">Report changes after this generation instead of the current one (to catch up on commits already made, as far back as the commit log reaches; older ones are reported with Known = $false).</para></summary>
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long AfterGeneration { get; set; } = -1;

    /// <inheritdoc />
    protected override void EndProcessing() => Run(() =>
    {
        var source = ResolveSource(StatePath);
        string dir = source.Location;
        source.FollowChanges(); // before the starting generation is read: the log that holds what follows it stays readable
        long seen = AfterGeneration >= 0 ? AfterGeneration : source.ReadMetadata().Generation;
        var deadline = double.IsPositiveInfinity(Timeout) ? DateTime.MaxValue : DateTime.UtcNow.AddSeconds(Timeout);
        int emitted = 0;
        WriteVerbose($"Watching '{dir}' from generation {seen}.");
        while (emitted < Count)
        {
            var left = deadline == DateTime.MaxValue ? System.Threading.Timeout.InfiniteTimeSpan : deadline - DateTime.UtcNow;
            if (left != System.Threading.Timeout.InfiniteTimeSpan && left <= TimeSpan.Zero) break;
            StateMetadata? metadata;
            try
            {
                metadata = source.WaitForCommit(seen, left, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            if (metadata is null) break;
            foreach (var change in source.ChangesBetween(seen, metadata.Generation).Take(Count - emitted))
            {
                WriteObject(change);
                emitted++;
            }
            seen = metadata.Generation;
        }
    });

    /// <inheritdoc />
    protected override void StopProcessing() => _stop.Cancel();
}
