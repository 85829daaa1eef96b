using System;
using System.IO;
using System.Management.Automation;

namespace ClusterState.PowerShell;

/// <summary>
/// Base of every ClusterState cmdlet: resolves the state path (explicit, session default,
/// environment, well-known locations), owns the snapshot a command reads and disposes it when
/// the pipeline ends, and turns engine exceptions into ErrorRecords with stable ids.
/// </summary>
public abstract class ClusterStateCmdlet : PSCmdlet, IDisposable
{
    private ClusterSnapshot? _snapshot;
    private StateSource? _source;
    private readonly System.Collections.Generic.List<ClusterSnapshot> _queried = new();

    /// <summary>
    /// ShouldProcess for one pipeline item of many (<c>$ids | Set-ClusterTask …</c>), with the
    /// messages PowerShell's own two-argument form shows. That form fetches its message template
    /// from PowerShell's resources on every call, and measured in a 10,000-task pipeline the
    /// lookup (ResourceManager, under a lock) was nine tenths of each item's time.
    /// </summary>
    protected bool ShouldProcessItem(string target, string action)
    {
        string description = $"Performing the operation \"{action}\" on target \"{target}\".";
        return ShouldProcess(description, "Are you sure you want to perform this action?\n" + description, "Confirm");
    }

    /// <summary>Resolves a user path against the current PowerShell location (not the process directory).</summary>
    protected string ResolveUserPath(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);

    /// <summary>
    /// The state directory for <paramref name="explicitPath"/> (or the defaults when it is empty),
    /// for work that needs the directory itself; a server URI is refused with RemoteNotSupported.
    /// </summary>
    protected string ResolveStateDirectory(string? explicitPath)
    {
        var source = ResolveSource(explicitPath);
        if (source.IsRemote)
            throw new ClusterStateException(ErrorIds.RemoteNotSupported, ClusterStateErrorKind.InvalidArgument,
                $"{MyInvocation.MyCommand.Name} works on a state directory of this machine, not on the server {source.Location}; give -StatePath or run it where the state is.", source.Location);
        return source.Location;
    }

    /// <summary>
    /// Where the command's state is (once per command): an explicit -StatePath (a directory or a
    /// grpc:// URI), else the session default of Connect-ClusterState (a directory or a server),
    /// $env:CLUSTERSTATE_PATH and the well-known locations.
    /// </summary>
    protected StateSource ResolveSource(string? explicitPath)
    {
        if (_source is null)
        {
            string location = SessionDefaults.ResolveLocation(string.IsNullOrEmpty(explicitPath) || StateSource.IsRemoteLocation(explicitPath) ? explicitPath : ResolveUserPath(explicitPath));
            _source = StateSource.IsRemoteLocation(location) ? RemoteState.For(location) : new LocalStateSource(location);
        }
        return _source;
    }

    /// <summary>Opens the current snapshot once per command; it is disposed when the command ends.</summary>
    protected ClusterSnapshot OpenSnapshot(string? explicitPath)
    {
        if (_snapshot is null)
        {
            var source = ResolveSource(explicitPath);
            WriteVerbose($"Opening the cluster state at '{source.Location}'.");
            // A server's state is fetched once per generation: seconds for millions of rows.
            using var progress = StartProgress(12, "Reading the cluster state", $"from {source.Location}");
            _snapshot = source.Open((done, total) => progress.Report(done, total, "rows"));
        }
        return _snapshot;
    }

    /// <summary>
    /// The snapshot to evaluate one query of one entity on. Locally that is the command's
    /// snapshot; from a server it is the cached current generation or, when there is none, only
    /// the rows the server's evaluation of the query returned (the filter is pushed down, only
    /// matching rows travel). Evaluate the same query on it.
    /// </summary>
    protected ClusterSnapshot SnapshotFor(string? explicitPath, string entity, object query)
    {
        if (ResolveSource(explicitPath) is not RemoteState remote) return OpenSnapshot(explicitPath);
        var snapshot = remote.OpenFor(entity, query);
        _queried.Add(snapshot);
        return snapshot;
    }

    /// <summary>Starts a progress bar for long work; disposing it completes the bar.</summary>
    protected ProgressReporter StartProgress(int activityId, string activity, string status) => new(this, activityId, activity, status);

    /// <summary>
    /// After a commit: writes the Parquet checkpoint the state's policy asks for, if one is due
    /// (Set-ClusterStateCheckpointPolicy), with progress.
    /// </summary>
    protected void CheckpointIfDue(StateSource source)
    {
        using var progress = StartProgress(9, "Automatic checkpoint", $"Writing a checkpoint of {source.Location}");
        var info = source.SaveCheckpointIfDue((done, total) => progress.Report(done, total, "columns"));
        if (info is not null) WriteVerbose($"The checkpoint policy wrote '{info.Path}'.");
    }

    /// <summary>
    /// What a command does after its commit returned: <paramref name="output"/> (-PassThru, the
    /// placement's assignments), then the automatic checkpoint. The commit cannot be undone, so a
    /// failure here is not terminating: a script that retries on a terminating error would apply
    /// the change twice. It is a non-terminating FailedAfterCommit error (the category of the
    /// failure) whose message says that generation N was committed and must not be repeated.
    /// Errors of PowerShell itself (a downstream command stopping the pipeline) pass through.
    /// </summary>
    protected void AfterCommit(CommitResult result, StateSource source, Action output)
    {
        if (!result.Changed)
        {
            WriteVerbose($"Nothing to change: no commit was made, the state stays at generation {result.Generation}.");
        }
        AfterCommitStage(result, source, "writing the output", output);
        if (result.Changed) AfterCommitStage(result, source, "the automatic checkpoint", () => CheckpointIfDue(source));
    }

    private void AfterCommitStage(CommitResult result, StateSource source, string stage, Action work)
    {
        try
        {
            work();
        }
        catch (Exception e) when (e is not RuntimeException)
        {
            var category = e is ClusterStateException cse ? ToErrorRecord(cse).CategoryInfo.Category
                : e is IOException or UnauthorizedAccessException ? ErrorCategory.WriteError : ErrorCategory.NotSpecified;
            string what = result.Changed ? $"Generation {result.Generation} of '{source.Location}' was committed" : $"The command changed nothing in '{source.Location}'";
            WriteError(new ErrorRecord(
                new ClusterStateException(ErrorIds.FailedAfterCommit, ClusterStateErrorKind.WriteError,
                    $"{what}; do not repeat the command. Afterwards {stage} failed: {e.Message}", result.Generation, e),
                ErrorIds.FailedAfterCommit, category, result.Generation));
        }
    }

    /// <summary>
    /// Refuses input the command cannot act on as a whole before any of it is used (a pipeline
    /// that mixes states: <see cref="StateCmdlet"/>); throws ClusterStateException.
    /// </summary>
    protected virtual void CheckInput()
    {
    }

    /// <summary>Runs one stage of the command, converting engine and I/O failures into terminating errors.</summary>
    protected void Run(Action action)
    {
        try
        {
            CheckInput();
            action();
        }
        catch (ClusterStateException e)
        {
            ThrowTerminatingError(ToErrorRecord(e));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(new ErrorRecord(e, ErrorIds.StateIOError, ErrorCategory.ReadError, null));
        }
    }

    /// <summary>Writes a non-terminating "not found" error naming the id.</summary>
    protected void WriteNotFound(string errorId, string what, string id) =>
        WriteError(new ErrorRecord(
            new ItemNotFoundException($"No {what} with id '{id}' exists in the cluster state."),
            errorId, ErrorCategory.ObjectNotFound, id));

    /// <summary>Writes the objects of a query and a not-found error for each literal id it did not find.</summary>
    protected void WriteResult<T>(QueryResult<T> result, string notFoundErrorId, string what)
    {
        // One write per row: as cheap as one enumerated write when the output is collected, and
        // about twice as fast when a command downstream (Where-Object) processes each object.
        foreach (var item in result.Items) WriteObject(item);
        foreach (var id in result.MissingIds) WriteNotFound(notFoundErrorId, what, id);
    }

    /// <summary>
    /// Ids as a query matches them exactly: wildcard characters escaped, as -LiteralPath does
    /// (lookups stay case-insensitive). Used for -LiteralId and wherever a command reads back the
    /// items it addressed by id, so an id holding * or ? never reads other items.
    /// </summary>
    protected static string[] Literal(System.Collections.Generic.IEnumerable<string> ids) =>
        System.Linq.Enumerable.ToArray(System.Linq.Enumerable.Select(ids, WildcardPattern.Escape));

    /// <summary>A switch as a three-way filter: null when not given, else its value (so -Pinned:$false filters too).</summary>
    protected bool? SwitchValue(string name, SwitchParameter value) =>
        MyInvocation.BoundParameters.ContainsKey(name) ? value.IsPresent : null;

    /// <summary>
    /// Maps an engine exception to an ErrorRecord (stable ErrorId, category, target). The engine's
    /// message speaks of the state; where a parameter of this command (or another cmdlet) is the
    /// remedy, <see cref="Hints"/> names it: the hint is the record's RecommendedAction, and
    /// ErrorDetails.Message (what the user sees) is the engine's message followed by the hint.
    /// </summary>
    internal ErrorRecord ToErrorRecord(ClusterStateException e)
    {
        var record = new ErrorRecord(e, e.ErrorId, e.Kind switch
        {
            ClusterStateErrorKind.NotFound => ErrorCategory.ObjectNotFound,
            ClusterStateErrorKind.InvalidData => ErrorCategory.InvalidData,
            ClusterStateErrorKind.InvalidArgument => ErrorCategory.InvalidArgument,
            ClusterStateErrorKind.ResourceUnavailable => ErrorCategory.ResourceUnavailable,
            ClusterStateErrorKind.WriteError => ErrorCategory.WriteError,
            ClusterStateErrorKind.AlreadyExists => ErrorCategory.ResourceExists,
            ClusterStateErrorKind.Conflict => ErrorCategory.InvalidOperation,
            ClusterStateErrorKind.Timeout => ErrorCategory.OperationTimeout,
            ClusterStateErrorKind.PermissionDenied => ErrorCategory.PermissionDenied,
            _ => ErrorCategory.NotSpecified,
        }, e.Target);
        if (HintFor(e) is { } hint)
        {
            string message = e.Message.TrimEnd();
            string separator = message.Length == 0 || message[^1] is '.' or '?' or '!' or ')' ? " " : ". ";
            record.ErrorDetails = new ErrorDetails(message + separator + hint) { RecommendedAction = hint };
        }
        return record;
    }

    /// <summary>
    /// Error id, the parameter the hint is about (null: the hint names other cmdlets) and the
    /// hint. A parameter hint applies only to a command that has the parameter and was not given
    /// it; the first row that applies wins.
    /// </summary>
    private static readonly (string ErrorId, string? Parameter, string Hint)[] Hints =
    {
        (ErrorIds.StateAlreadyExists, "Force", "Give -Force to replace it."),
        (ErrorIds.ExportTargetExists, "Force", "Give -Force to replace it."),
        (ErrorIds.UnknownRole, "Force", "Give -Force to keep it."),
        (ErrorIds.UnknownStatus, "Force", "Give -Force to keep it."),
        (ErrorIds.NodeHasTasks, "Force", "Give -Force to release them with the node(s)."),
        (ErrorIds.InvalidId, "LiteralId", "Give -LiteralId to address an id exactly as written."),
        (ErrorIds.InvalidId, "LiteralCid", "Give -LiteralCid to address a CID exactly as written."),
        (ErrorIds.StateNotFound, "StatePath", "Give -StatePath, run Connect-ClusterState, or set $env:" + StateLocator.EnvironmentVariable + "."),
        (ErrorIds.ServerCertificateRejected, null, "Give the certificate with Connect-ClusterState -ServerCertificate."),
        (ErrorIds.ServerUnauthorized, null, "Give the token with Connect-ClusterState -Token (or $env:" + RemoteState.TokenVariable + ")."),
        (ErrorIds.RequestTooLarge, null, "Start-ClusterStateServer -MaxRequestMB sets the server's limit."),
        (ErrorIds.ServerUnavailable, null, "Start-ClusterStateServer starts a server; Get-ClusterMetadata shows the state's generation."),
    };

    private string? HintFor(ClusterStateException e)
    {
        foreach (var (errorId, parameter, hint) in Hints)
        {
            if (!string.Equals(errorId, e.ErrorId, StringComparison.Ordinal)) continue;
            if (parameter is null) return hint;
            // The message may name the parameter already (the cmdlets' own errors do).
            if (e.Message.Contains("-" + parameter, StringComparison.Ordinal)) return null;
            if (MyInvocation?.MyCommand?.Parameters?.ContainsKey(parameter) == true && !MyInvocation.BoundParameters.ContainsKey(parameter)) return hint;
        }
        return null;
    }

    /// <summary>Releases the snapshot this command opened.</summary>
    public void Dispose()
    {
        _snapshot?.Dispose();
        _snapshot = null;
        foreach (var snapshot in _queried) snapshot.Dispose();
        _queried.Clear();
        _source?.Dispose();
        _source = null;
        GC.SuppressFinalize(this);
    }
}
