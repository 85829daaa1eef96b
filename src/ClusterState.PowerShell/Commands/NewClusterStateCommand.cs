using System;
using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Creates a cluster state directory, empty or filled with a deterministic sample cluster.</para>
/// <para type="description">New-ClusterState writes a state directory: state_metadata.json and one Arrow IPC snapshot in schema version 2. Without counts the state is empty; with -NodeCount, -TaskCount, -ContentCount or -Seed it holds a sample cluster that looks live (one master, mostly workers, some leechers, a few offline nodes; tasks mostly completed, about 1% failed; CIDv1 content ids). The same seed and counts always give the same state.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "ClusterState", SupportsShouldProcess = true, DefaultParameterSetName = EmptySet)]
[OutputType(typeof(ClusterMetadata))]
public sealed class NewClusterStateCommand : ClusterStateCmdlet
{
    private const string EmptySet = "Empty";
    private const string SampleSet = "Sample";

    /// <summary><para type="description">The directory of the new state. It is created if needed.</para></summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary><para type="description">Number of sample nodes (the first is the master).</para></summary>
    [Parameter(ParameterSetName = SampleSet)]
    [ValidateRange(1, 1_000_000)]
    public int NodeCount { get; set; } = 10;

    /// <summary><para type="description">Number of sample tasks.</para></summary>
    [Parameter(ParameterSetName = SampleSet)]
    [ValidateRange(0, 4_000_000)]
    public int TaskCount { get; set; } = 100;

    /// <summary><para type="description">Number of sample content items.</para></summary>
    [Parameter(ParameterSetName = SampleSet)]
    [ValidateRange(0, 4_000_000)]
    public int ContentCount { get; set; } = 100;

    /// <summary><para type="description">Seed of the sample generator; the same seed gives the same cluster.</para></summary>
    [Parameter(ParameterSetName = SampleSet)]
    public int Seed { get; set; } = 42;

    /// <summary><para type="description">Cluster id of the new state (default: a new random id for an empty state, one derived from the seed for a sample).</para></summary>
    [Parameter(ParameterSetName = EmptySet)]
    [Parameter(ParameterSetName = SampleSet)]
    [ValidateNotNullOrEmpty]
    public string? ClusterId { get; set; }

    /// <summary><para type="description">Master node id. Of an empty state: any id (default: none). Of a sample: the id of its master, the first node, wherever the sample names it (default: a peer id derived from the seed).</para></summary>
    [Parameter(ParameterSetName = EmptySet)]
    [Parameter(ParameterSetName = SampleSet)]
    public string? MasterId { get; set; }

    /// <summary><para type="description">Replace a state that already exists in the directory (as its next generation).</para></summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() =>
    {
        string dir = ResolveUserPath(Path);
        string what = ParameterSetName == SampleSet
            ? $"sample cluster state ({NodeCount} nodes, {TaskCount} tasks, {ContentCount} content, seed {Seed})"
            : "empty cluster state";
        if (!ShouldProcess(dir, "Create " + what)) return;

        using (var progress = StartProgress(1, "New-ClusterState", "Generating the sample cluster"))
        {
            StateContent content;
            if (ParameterSetName == SampleSet)
            {
                long total = (long)TaskCount + ContentCount;
                var sample = new SampleCluster(new SampleOptions
                {
                    NodeCount = NodeCount,
                    TaskCount = TaskCount,
                    ContentCount = ContentCount,
                    Seed = Seed,
                    ClusterId = ClusterId,
                    MasterId = string.IsNullOrEmpty(MasterId) ? null : MasterId,
                    Progress = (activity, done, count) =>
                    {
                        long overall = activity == "tasks" ? done : TaskCount + done;
                        progress.Report((int)Math.Min(99, overall * 100 / Math.Max(1, total)), $"Writing {activity}: {done:N0} of {count:N0}");
                    },
                });
                content = sample.ToStateContent();
            }
            else
            {
                content = new StateContent { ClusterId = ClusterId ?? "cluster-" + Guid.NewGuid().ToString("N")[..8], MasterId = MasterId ?? "" };
            }
            StateStore.Create(dir, content, new CreateStateOptions { Force = Force });
        }
        using var snapshot = ClusterSnapshot.Open(dir);
        WriteObject(snapshot.Describe());
    });
}
