using System;
using System.Linq;
using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Changes content items: providers, pin state, replication target, in one atomic commit.</para>
/// <para type="description">Set-ClusterContent changes the given fields of each CID: -AddProvider and -RemoveProvider edit the provider list (-Providers replaces it), -Pinned / -Pinned:$false pins or unpins, -Replication sets the target and -ReplicationDelta adds to it under the writer lock, so concurrent increments from many processes never lose one. Items piped in bind by Cid and the whole pipeline is one commit. Unknown CIDs are ContentNotFound, and a target below 0 or above 2147483647 (also when -ReplicationDelta would take it there) is InvalidResourceValue; nothing is written then. -Cid takes exact CIDs and refuses wildcard characters; pipe Get-ClusterContent 'pattern' in, or use -LiteralCid.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "ClusterContent", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = "Cid")]
[OutputType(typeof(ClusterContent))]
public sealed class SetClusterContentCommand : StateWritingCmdlet
{
#pragma warning disable CS1591
    /// <summary><para type="description">CIDs of the items to change, exactly (piped items bind by Cid). Wildcard characters are refused: pipe Get-ClusterContent 'pattern' in to change every match.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "Cid")]
    [ArgumentCompleter(typeof(Completion.CidCompleter))]
    [ValidateNotNullOrEmpty]
    public string[] Cid { get; set; } = Array.Empty<string>();

    /// <summary><para type="description">CIDs of the items to change, matched exactly, for ids written before ClusterState refused * ? [ ] (as -LiteralPath; -Cid refuses those characters).</para></summary>
    [Parameter(Mandatory = true, ParameterSetName = "LiteralCid")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralCid { get; set; }

    /// <summary><para type="description">Replace the provider list.</para></summary>
    [Parameter] [AllowEmptyCollection] public string[]? Providers { get; set; }
    /// <summary><para type="description">Providers to add (kept once).</para></summary>
    [Parameter] [ArgumentCompleter(typeof(Completion.ProviderCompleter))] public string[]? AddProvider { get; set; }
    /// <summary><para type="description">Providers to remove.</para></summary>
    [Parameter] [ArgumentCompleter(typeof(Completion.ProviderCompleter))] public string[]? RemoveProvider { get; set; }
    /// <summary><para type="description">Pin (-Pinned) or unpin (-Pinned:$false).</para></summary>
    [Parameter] public SwitchParameter Pinned { get; set; }
    /// <summary><para type="description">Set the replication target.</para></summary>
    [Parameter] [ValidateRange(0, int.MaxValue)] public int? Replication { get; set; }
    /// <summary><para type="description">Add this (possibly negative) number to the replication target, atomically.</para></summary>
    [Parameter] public int? ReplicationDelta { get; set; }
    /// <summary><para type="description">Set the size in bytes.</para></summary>
    [Parameter] [ValidateRange(0, long.MaxValue)] public long? Size { get; set; }
#pragma warning restore CS1591

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        // Not parameter sets: PowerShell would answer with its own AmbiguousParameterSet error, and
        // scripts (and tests/Write.Tests.ps1) rely on the documented ConflictingParameters id.
        if (Replication is not null && ReplicationDelta is not null)
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("-Replication and -ReplicationDelta cannot be used together."),
                ErrorIds.ConflictingParameters, ErrorCategory.InvalidArgument, null));
    }

    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() =>
    {
        foreach (var cid in AddressedIds(Cid, LiteralCid, "Cid", "Get-ClusterContent"))
        {
            if (!ShouldProcessItem(cid, "Change content")) continue;
            ChangeSet.UpdateContent.Add(new ContentUpdate
            {
                Cid = cid, Providers = Providers, AddProviders = AddProvider, RemoveProviders = RemoveProvider,
                Pinned = SwitchValue(nameof(Pinned), Pinned), Replication = Replication, ReplicationDelta = ReplicationDelta, Size = Size,
            });
        }
    });

    /// <inheritdoc />
    protected override void WriteChanged(ClusterSnapshot after) =>
        WriteResult(after.FindContent(new ContentQuery { Cid = Literal(ChangeSet.UpdateContent.Select(c => c.Cid).Distinct()) }), ErrorIds.ContentNotFound, "content");
}
