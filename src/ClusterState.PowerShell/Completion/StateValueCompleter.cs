using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace ClusterState.PowerShell.Completion;

/// <summary>
/// Base of the argument completers: finds the state the command line refers to (its -StatePath,
/// else the session default and the usual locations), asks the engine for candidate values and
/// returns those that start with what was typed. Never throws: no state means no completions.
/// </summary>
public abstract class StateValueCompleter : IArgumentCompleter
{
    private const int Limit = 100;

    /// <inheritdoc />
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string typed = (wordToComplete ?? "").Trim('\'', '"');
        try
        {
            string? explicitPath = fakeBoundParameters["StatePath"] as string;
            if (explicitPath is null && !commandName.StartsWith("Export-", StringComparison.OrdinalIgnoreCase)
                && !commandName.StartsWith("New-", StringComparison.OrdinalIgnoreCase))
            {
                explicitPath = fakeBoundParameters["Path"] as string;
            }
            if (explicitPath is not null && !StateSource.IsRemoteLocation(explicitPath)) explicitPath = ResolveInSession(explicitPath);
            string location = SessionDefaults.ResolveLocation(explicitPath);
            // From a server, ids are completed from the rows the server finds for the typed prefix
            // (the whole state travels only for the other values, once per generation).
            using var snapshot = !StateSource.IsRemoteLocation(location) ? ClusterSnapshot.Open(location)
                : RemoteQuery(WildcardPattern.Escape(typed.TrimEnd('*')) + "*") is { } query ? RemoteState.For(location).OpenFor(query.Entity, query.Query)
                : RemoteState.For(location).Open();
            return Candidates(snapshot, typed)
                .Where(v => v.StartsWith(typed.TrimEnd('*'), StringComparison.OrdinalIgnoreCase))
                .Take(Limit)
                .Select(v => new CompletionResult(Quote(v), v, CompletionResultType.ParameterValue, v))
                .ToList();
        }
        catch (Exception e) when (e is ClusterStateException or System.IO.IOException or UnauthorizedAccessException or PSInvalidOperationException)
        {
            return Array.Empty<CompletionResult>();
        }
    }

    /// <summary>
    /// Resolves a typed path (relative, ~) against the session's current location. Completion
    /// runs on the pipeline thread, where the runspace's SessionStateProxy is not usable, so this
    /// asks through a nested pipeline on the current runspace.
    /// </summary>
    private static string ResolveInSession(string path)
    {
        using var ps = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
        ps.AddScript("param($p) $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($p)").AddArgument(path);
        var result = ps.Invoke();
        return result.Count == 1 && result[0]?.BaseObject is string resolved ? resolved : path;
    }

    /// <summary>The values to offer for what was typed so far.</summary>
    protected abstract IEnumerable<string> Candidates(ClusterSnapshot snapshot, string typed);

    /// <summary>For id completers: the query a server evaluates for the typed prefix (a wildcard pattern).</summary>
    protected virtual (string Entity, object Query)? RemoteQuery(string pattern) => null;

    private static string Quote(string value) =>
        value.Length > 0 && value.All(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' or ':' or '/')
            ? value
            : "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
