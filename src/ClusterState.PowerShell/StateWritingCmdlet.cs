using System.Management.Automation;

namespace ClusterState.PowerShell;

/// <summary>
/// Base of the cmdlets that change a state. Input items are collected into one change set while
/// the pipeline runs (each one passing ShouldProcess) and committed once at the end: a whole
/// pipeline is one atomic commit, all or nothing. -ExpectedGeneration makes it conditional.
/// </summary>
public abstract class StateWritingCmdlet : ClusterStateCmdlet
{
    /// <summary><para type="description">The state directory to change, or the grpc:// URI of a ClusterState server (default: the session default and the usual locations).</para></summary>
    [Parameter]
    [Alias("Path")]
    [ValidateNotNullOrEmpty]
    public string? StatePath { get; set; }

    /// <summary><para type="description">Commit only if the state is still at this generation; otherwise fail with GenerationConflict and change nothing.</para></summary>
    [Parameter]
    [ValidateRange(1, long.MaxValue)]
    public long? ExpectedGeneration { get; set; }

    /// <summary><para type="description">Emit the changed items as they are after the commit.</para></summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>The change set the pipeline builds.</summary>
    protected ChangeSet Changes { get; } = new();

    /// <summary>True when values outside the SPEC vocabularies are accepted (the cmdlet's -Force).</summary>
    protected virtual bool AllowUnknownValues => false;

    /// <summary>Emits the items this command changed, read from the committed snapshot.</summary>
    protected abstract void WriteChanged(ClusterSnapshot after);

    /// <summary>Commits what the pipeline collected.</summary>
    protected override void EndProcessing() => Run(() =>
    {
        if (Changes.IsEmpty) return;
        var source = ResolveSource(StatePath);
        Changes.ExpectedGeneration = ExpectedGeneration;
        Changes.Force = AllowUnknownValues;
        var result = source.Commit(Changes);
        WriteVerbose($"Committed generation {result.Generation} of '{source.Location}': {result.Added} added, {result.Updated} changed, {result.Removed} removed in {result.Elapsed.TotalMilliseconds:0.#} ms.");
        if (PassThru)
        {
            using var after = source.Open();
            WriteChanged(after);
        }
        CheckpointIfDue(source);
    });
}

/// <summary>
/// Base of the Remove-* cmdlets: each id passes ShouldProcess into the change set, and
/// -PassThru emits the removed items as they were before the commit.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
public abstract class StateRemovingCmdlet<T> : StateWritingCmdlet
{
    private readonly System.Collections.Generic.List<T> _removed = new();

    /// <summary>The ids this pipeline removes (the change set's list for the entity).</summary>
    protected abstract System.Collections.Generic.List<string> RemovedIds { get; }

    /// <summary>What is removed, for ShouldProcess ("node", "task", "content").</summary>
    protected abstract string What { get; }

    /// <summary>Reads the items about to be removed.</summary>
    protected abstract System.Collections.Generic.IEnumerable<T> ReadItems(ClusterSnapshot before, string[] ids);

    /// <summary>Adds each id that passes ShouldProcess to the change set.</summary>
    protected void Remove(System.Collections.Generic.IEnumerable<string> ids)
    {
        foreach (var id in ids)
        {
            if (ShouldProcess(id, "Remove " + What)) RemovedIds.Add(id);
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (PassThru && !Changes.IsEmpty) Run(() => _removed.AddRange(ReadItems(OpenSnapshot(StatePath), RemovedIds.ToArray())));
        base.EndProcessing();
    }

    /// <inheritdoc />
    protected override void WriteChanged(ClusterSnapshot after) => WriteObject(_removed, enumerateCollection: true);
}
