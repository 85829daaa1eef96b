using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Gets the current snapshot of a cluster state, with its Arrow record batch.</para>
/// <para type="description">Get-ClusterState returns the memory-mapped snapshot: ClusterId, Generation, counts and the one-row Apache Arrow RecordBatch whose buffers point into the mapped file (no copy). The snapshot stays valid while you hold it; call its Dispose() method to unmap it early. With -AsHashtable it returns the whole state as nested ordered hashtables with the schema's field names instead.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "ClusterState", DefaultParameterSetName = SnapshotSet)]
[OutputType(typeof(ClusterSnapshot), ParameterSetName = new[] { SnapshotSet })]
[OutputType(typeof(System.Collections.Specialized.OrderedDictionary), ParameterSetName = new[] { HashtableSet })]
public sealed class GetClusterStateCommand : StateCmdlet
{
    private const string SnapshotSet = "Snapshot";
    private const string HashtableSet = "Hashtable";

    /// <summary><para type="description">Return the state as nested ordered hashtables (field names as in the schema).</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = HashtableSet)]
    public SwitchParameter AsHashtable { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() =>
    {
        if (AsHashtable)
        {
            WriteObject(StateHashtable.Build(Snapshot));
            return;
        }
        // The caller owns this snapshot: open a separate one that the command does not dispose.
        WriteObject(ResolveSource(StatePath).Open());
    });
}
