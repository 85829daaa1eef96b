using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Folds the commit log of a state into a new base snapshot (compaction), now.</para>
/// <para type="description">Optimize-ClusterState writes the state of the current generation as a new base snapshot and starts its commit log over (DESIGN.md section 5). The generation and every answer stay the same; reads of a state with a long log get faster. The new base is written without holding the writer lock, so commits go on meanwhile: those that land during the fold are carried over into the new base's log in a short switch at the end. Readers that hold the old base and log keep reading them; the old files are removed later. Committing processes compact on their own when a log grows past its threshold; this cmdlet does it on demand. A state without a log is left alone.</para>
/// </summary>
[Cmdlet(VerbsCommon.Optimize, "ClusterState", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(ClusterMetadata))]
public sealed class OptimizeClusterStateCommand : StateCmdlet
{
    /// <summary><para type="description">The state directory to compact (default: the session default and the usual locations).</para></summary>
    // Positional and bound by property name, so that Get-ClusterMetadata output (or a path) pipes in.
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Path")]
    [ValidateStatePath]
    public override string? StatePath { get => BoundStatePath; set => BoundStatePath = value; }

    /// <summary><para type="description">Emit the metadata of the state after the compaction.</para></summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() =>
    {
        var source = ResolveSource(StatePath);
        string dir = source.Location;
        if (!ShouldProcess(dir, "Fold the commit log into a new base snapshot")) return;
        long? generation;
        using (var progress = StartProgress(1, "Optimize-ClusterState", "Folding the commit log into a new base"))
        {
            generation = source.Compact(phase => progress.Report(phase switch { "fold" => 10, "write" => 40, _ => 90 }, phase switch
            {
                "fold" => "Folding the log into the base",
                "write" => "Writing the new base",
                _ => "Switching to the new base",
            }));
        }
        WriteVerbose(generation is long g
            ? $"Compacted '{dir}': the base is now the snapshot of generation {g}."
            : $"'{dir}' has no commit log to fold (or another writer switched its base meanwhile); nothing was written.");
        if (PassThru) WriteObject(source.Describe());
    });
}
