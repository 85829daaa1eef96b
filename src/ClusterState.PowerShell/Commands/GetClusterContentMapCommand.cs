using System.Collections;
using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Gets the content availability map: each CID with its distinct providers, their count and the replication target.</para>
/// <para type="description">Get-ClusterContentMap emits ContentMapEntry objects (Cid, Providers, ProviderCount, Replication, UnderReplicated). Providers are distinct and in stored order. With -AsHashtable it returns one hashtable from CID to its provider list, like the seed's get_content_availability_map.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "ClusterContentMap")]
[OutputType(typeof(ContentMapEntry), typeof(Hashtable))]
public sealed class GetClusterContentMapCommand : StateCmdlet
{
    private Hashtable? _map;

    /// <summary><para type="description">CIDs to include; wildcards are allowed.</para></summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(Completion.CidCompleter))]
    public string[]? Cid { get; set; }

    /// <summary><para type="description">Return one hashtable mapping each CID to its providers.</para></summary>
    [Parameter]
    public SwitchParameter AsHashtable { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() =>
    {
        var result = ClusterAnalysis.GetContentMap(Snapshot, new ContentQuery { Cid = Cid });
        if (AsHashtable)
        {
            _map ??= new Hashtable(System.StringComparer.Ordinal);
            foreach (var entry in result.Items) _map[entry.Cid] = entry.Providers;
            foreach (var id in result.MissingIds) WriteNotFound(ErrorIds.ContentNotFound, "content", id);
            return;
        }
        WriteResult(result, ErrorIds.ContentNotFound, "content");
    });

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (_map is not null) WriteObject(_map);
    }
}
