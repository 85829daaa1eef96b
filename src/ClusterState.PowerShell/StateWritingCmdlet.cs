using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace ClusterState.PowerShell;

/// <summary>
/// Base of the cmdlets that change a state. Input items are collected into one change set while
/// the pipeline runs (each one passing ShouldProcess) and committed once at the end: a whole
/// pipeline is one atomic commit, all or nothing. -ExpectedGeneration makes it conditional.
/// </summary>
public abstract class StateWritingCmdlet : StateCmdlet
{
    /// <summary><para type="description">Commit only if the state is still at this generation; otherwise fail with GenerationConflict and change nothing.</para></summary>
    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long? ExpectedGeneration { get; set; }

    /// <summary><para type="description">Emit the changed items as they are after the commit.</para></summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>The change set the pipeline builds.</summary>
    protected ChangeSet ChangeSet { get; } = new();

    /// <summary>True when values outside the SPEC vocabularies are accepted (the cmdlet's -Force).</summary>
    protected virtual bool AllowUnknownValues => false;

    /// <summary>Emits the items this command changed, read from the committed snapshot.</summary>
    protected abstract void WriteChanged(ClusterSnapshot after);

    /// <summary>
    /// The ids a write addresses. -LiteralId values are exact. -Id values that came through the
    /// pipeline are exact too: piped objects bind by their own id. A typed -Id that holds
    /// wildcard characters is refused (InvalidId) rather than taken literally or expanded: the
    /// reading cmdlets treat it as a pattern, so a write must not quietly mean something else,
    /// and expanding must be explicit (pipe the Get- cmdlet's result in).
    /// </summary>
    /// <param name="ids">The -Id (or -Cid) values.</param>
    /// <param name="literalIds">The -LiteralId (or -LiteralCid) values, null when not given.</param>
    /// <param name="parameter">The name of the id parameter, for the message.</param>
    /// <param name="reader">The reading cmdlet that expands patterns, for the message.</param>
    protected IEnumerable<string> AddressedIds(string[] ids, string[]? literalIds, string parameter, string reader)
    {
        if (literalIds is not null) return literalIds;
        if (!MyInvocation.ExpectingInput)
        {
            foreach (var id in ids.Where(IdRules.HasWildcard))
                throw new ClusterStateException(ErrorIds.InvalidId, ClusterStateErrorKind.InvalidArgument,
                    $"-{parameter} takes exact ids, and '{id}' holds wildcard characters (* ? [ ]). To change every item it matches, pipe {reader} '{id}' into this command; to address an id that holds these characters, use -Literal{parameter}.", id);
        }
        return ids;
    }

    /// <summary>Commits what the pipeline collected.</summary>
    protected override void EndProcessing() => Run(() =>
    {
        if (ChangeSet.IsEmpty) return;
        var source = ResolveSource(StatePath);
        ChangeSet.ExpectedGeneration = ExpectedGeneration;
        ChangeSet.Force = AllowUnknownValues;
        var result = source.Commit(ChangeSet);
        WriteVerbose($"Committed generation {result.Generation} of '{source.Location}': {result.Added} added, {result.Updated} changed, {result.Removed} removed in {result.Elapsed.TotalMilliseconds:0.#} ms.");
        // Where the time went (lock wait, open, plan, build, write, publish…): what a slow commit is asked first.
        WriteDebug("Commit phases, ms: " + string.Join(", ", result.PhaseMilliseconds.Select(p => $"{p.Key} {p.Value.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)}")));
        AfterCommit(result, source, () =>
        {
            if (!PassThru) return;
            using var after = source.Open();
            WriteChanged(after);
        });
    });
}
