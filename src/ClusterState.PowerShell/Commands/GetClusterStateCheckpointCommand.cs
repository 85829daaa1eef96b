using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

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
