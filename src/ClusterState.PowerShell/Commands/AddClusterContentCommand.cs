using System;
using System.Linq;
using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Adds content items (CIDs) to a cluster state in one atomic commit.</para>
/// <para type="description">Add-ClusterContent adds a CID with its size, providers, pin state and replication target; created_at is the commit time. Parameters bind by property name, so items from Get-ClusterContent or Import-Csv can be piped in; the whole pipeline is one commit. An existing CID is a DuplicateId error and negative sizes or replication targets are refused; nothing is written then. CIDs are at most 256 UTF-8 bytes, unique ignoring case (as lookups compare), and hold no control, bidirectional-override or wildcard (* ? [ ]) characters, lone surrogates or leading/trailing white space; the ids of its providers follow the same rules; an id that breaks them is InvalidId.</para>
/// </summary>
[Cmdlet(VerbsCommon.Add, "ClusterContent", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ClusterContent))]
public sealed class AddClusterContentCommand : StateWritingCmdlet
{
#pragma warning disable CS1591
    /// <summary><para type="description">The content identifier.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Cid { get; set; } = "";

    /// <summary><para type="description">Size in bytes.</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)] public long? Size { get; set; }

    /// <summary><para type="description">Ids of the nodes that provide it.</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(Completion.ProviderCompleter))]
    [AllowEmptyCollection]
    public string[]? Providers { get; set; }

    /// <summary><para type="description">Whether it is pinned (default true).</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)] public bool? Pinned { get; set; }

    /// <summary><para type="description">Target number of providers (default 1).</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true)] public int? Replication { get; set; }
#pragma warning restore CS1591

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (!ShouldProcess(Cid, "Add content")) return;
        ChangeSet.AddContent.Add(new ClusterContent
        {
            Cid = Cid,
            Size = Size,
            Providers = Providers ?? Array.Empty<string>(),
            Pinned = Pinned ?? true,
            Replication = Replication ?? 1,
        });
    }

    /// <inheritdoc />
    protected override void WriteChanged(ClusterSnapshot after) =>
        WriteResult(after.FindContent(new ContentQuery { Cid = Literal(ChangeSet.AddContent.Select(c => c.Cid)) }), ErrorIds.ContentNotFound, "content");
}
