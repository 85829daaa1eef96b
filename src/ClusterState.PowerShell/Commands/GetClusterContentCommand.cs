using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Gets content items (CIDs) by CID, provider, pin state, or whether any task refers to them.</para>
/// <para type="description">Get-ClusterContent emits ClusterContent objects (Cid, Size, CreatedAt, Providers, Pinned, Replication). Filters run on the columns: -Cid (wildcards), -Provider (content any of these nodes provides), -Pinned / -Pinned:$false, and -Orphaned: content no task refers to, where a reference is any task's input_cid or input_cids, and the output_cid or output_cids of completed tasks only. -Orphaned:$false keeps the referenced content.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "ClusterContent", DefaultParameterSetName = "Cid")]
[OutputType(typeof(ClusterContent))]
public sealed class GetClusterContentCommand : StateCmdlet
{
    /// <summary><para type="description">CIDs; wildcards are allowed.</para></summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "Cid")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(Completion.CidCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Cid { get; set; }

    /// <summary><para type="description">CIDs matched exactly: * ? [ ] have no wildcard meaning (as -LiteralPath). For ids written before ClusterState refused these characters.</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = "LiteralCid")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralCid { get; set; }

    /// <summary><para type="description">Keep content that any of these node ids provides.</para></summary>
    [Parameter]
    [ArgumentCompleter(typeof(Completion.ProviderCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Provider { get; set; }

    /// <summary><para type="description">Keep content no task refers to; -Orphaned:$false keeps referenced content.</para></summary>
    [Parameter]
    public SwitchParameter Orphaned { get; set; }

    /// <summary><para type="description">Keep pinned content; -Pinned:$false keeps unpinned content.</para></summary>
    [Parameter]
    public SwitchParameter Pinned { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() =>
    {
        var query = new ContentQuery
        {
            Cid = LiteralCid is null ? Cid : Literal(LiteralCid),
            Provider = Provider,
            Orphaned = SwitchValue(nameof(Orphaned), Orphaned),
            Pinned = SwitchValue(nameof(Pinned), Pinned),
        };
        // Orphans are decided by the tasks, which a server's partial answer does not hold: keep
        // the orphans (or non-orphans) the server found without deciding again. Together with
        // -Cid, "not found" would then depend on -Orphaned, so that case reads the whole state.
        var snapshot = query.Orphaned is not null && query.Cid is not null ? Snapshot : SnapshotFor(StatePath, ClusterSchema.Names.Content, query);
        WriteResult(snapshot.FindContent(snapshot.IsPartial ? new ContentQuery { Cid = query.Cid, Provider = query.Provider, Pinned = query.Pinned } : query), ErrorIds.ContentNotFound, "content");
    });
}
