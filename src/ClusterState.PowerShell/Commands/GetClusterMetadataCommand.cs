using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Gets the metadata of a cluster state: ids, generation, schema version, counts and snapshot file.</para>
/// <para type="description">Get-ClusterMetadata reads state_metadata.json and the snapshot's header. It is cheap on any size of state: the snapshot is memory-mapped and only the list offsets are read for the counts. From a server it is one round trip (the server describes its state; nothing is copied).</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "ClusterMetadata")]
[OutputType(typeof(ClusterMetadata))]
public sealed class GetClusterMetadataCommand : StateCmdlet
{
    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() => WriteObject(ResolveSource(StatePath).Describe()));
}
