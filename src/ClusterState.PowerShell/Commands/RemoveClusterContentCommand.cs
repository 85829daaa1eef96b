using System;
using System.Collections.Generic;
using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Removes content items from a cluster state in one atomic commit.</para>
/// <para type="description">Remove-ClusterContent removes the given CIDs; piped items bind by Cid and the whole pipeline is one commit, so Get-ClusterContent -Orphaned | Remove-ClusterContent drops every orphan at once. An unknown CID is a ContentNotFound error and nothing is removed. Asks for confirmation by default (ConfirmImpact High).</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "ClusterContent", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = "Cid")]
[OutputType(typeof(ClusterContent))]
public sealed class RemoveClusterContentCommand : StateRemovingCmdlet<ClusterContent>
{
    /// <summary><para type="description">CIDs of the items to remove, exactly (piped items bind by Cid). Wildcard characters are refused: pipe Get-ClusterContent 'pattern' in to remove every match.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "Cid")]
    [ArgumentCompleter(typeof(Completion.CidCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Cid { get; set; } = Array.Empty<string>();

    /// <summary><para type="description">CIDs of the items to remove, matched exactly, for ids written before ClusterState refused * ? [ ] (as -LiteralPath; -Cid refuses those characters).</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = "LiteralCid")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralCid { get; set; }

    /// <inheritdoc />
    protected override List<string> RemovedIds => ChangeSet.RemoveContent;

    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() => Remove(AddressedIds(Cid, LiteralCid, "Cid", "Get-ClusterContent"), "Remove content"));

    /// <inheritdoc />
    protected override IEnumerable<ClusterContent> ReadItems(ClusterSnapshot before, string[] ids) => before.FindContent(new ContentQuery { Cid = ids }).Items;
}
