using System;
using System.Linq;
using System.Management.Automation;
using System.Threading;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Emits a change object for every commit to a cluster state, as it happens.</para>
/// <para type="description">Watch-ClusterState watches state_metadata.json (a small file every commit replaces; the snapshot is never read) and emits one ClusterStateChange per new generation, in order: the generation, when it was committed, and per entity (Nodes, Tasks, Content) how many items were added, changed and removed with their first ids, from the change log (changes.json) every commit through the module writes beside the metadata. A commit by another program, or one that left the log (64 entries) before it was seen, is reported with Known = $false; a restore, import or migration with Replaced = $true. It starts at the current generation and runs until -Count changes were emitted, -Timeout seconds passed, or Ctrl+C. Connected to a ClusterState server (Connect-ClusterState -Uri), it receives the same changes from the server, which watches its state directory and answers a long poll at each commit.</para>
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

    /// <summary><para type="description">Report changes after this generation instead of the current one (to catch up on commits already made, as far as the change log reaches).</para></summary>
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long AfterGeneration { get; set; } = -1;

    /// <inheritdoc />
    protected override void EndProcessing() => Run(() =>
    {
        var source = ResolveSource(StatePath);
        string dir = source.Location;
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
