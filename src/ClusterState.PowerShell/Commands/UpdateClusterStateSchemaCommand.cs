using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Migrates a state to the current schema version in place, as one atomic commit.</para>
/// <para type="description">Update-ClusterStateSchema rewrites every seed field in the canonical type of the current schema version (2): version-1 states gain tasks.started_at and tasks.completed_at (null), states written by ipfs_kit_py have their aliases resolved (cpu_usage to cpu_load, disk_free to disk_available, result_cid to output_cid, pinned_at to created_at and pinned) and their narrow integers widened, so every write cmdlet can change them. Fields other writers added (peer_id, address, priority, parameters, ...) are carried over unchanged. Readers that hold the old snapshot keep reading it. A state already current is left alone (no new generation); a state of a newer version is refused with SchemaVersionUnsupported and never rewritten.</para>
/// </summary>
[Cmdlet(VerbsData.Update, "ClusterStateSchema", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ClusterMetadata))]
public sealed class UpdateClusterStateSchemaCommand : StateCmdlet
{
    /// <summary><para type="description">The state directory to migrate (default: the session default and the usual locations).</para></summary>
    // Positional and bound by property name, so that Get-ClusterMetadata output (or a path) pipes in.
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Path")]
    [ValidateStatePath]
    public override string? StatePath { get => BoundStatePath; set => BoundStatePath = value; }

    /// <summary><para type="description">Emit the metadata of the state after the migration.</para></summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() =>
    {
        var source = ResolveSource(StatePath);
        string dir = source.Location;
        int version;
        using (var before = source.Open()) version = before.SchemaVersion;
        if (!ShouldProcess(dir, $"Migrate the cluster state from schema version {version} to {ClusterSchema.CurrentVersion}")) return;
        CommitResult? result;
        using (var progress = StartProgress(3, "Update-ClusterStateSchema", "Rewriting the state"))
        {
            // The engine reports which entity it rewrites; tasks are most of the work.
            result = source.Migrate(entity => progress.Report(entity switch { "nodes" => 5, "tasks" => 30, _ => 70 }, $"Rewriting {entity}"));
        }
        WriteVerbose(result is null
            ? $"'{dir}' already has the current schema (version {ClusterSchema.CurrentVersion}); nothing was written."
            : $"Migrated '{dir}' to schema version {ClusterSchema.CurrentVersion} as generation {result.Generation}.");
        if (PassThru)
        {
            WriteObject(source.Describe());
        }
        if (result is not null)
        {
            CheckpointIfDue(source);
        }
    });
}
