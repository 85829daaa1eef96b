using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace ClusterState.PowerShell;

/// <summary>
/// The state set by Connect-ClusterState (a directory or a server URI), per runspace, so thread
/// jobs and other runspaces in the same process keep their own defaults.
/// </summary>
internal static class SessionDefaults
{
    private static readonly ConditionalWeakTable<Runspace, string> Paths = new();

    public static string? Get() => Runspace.DefaultRunspace is { } r && Paths.TryGetValue(r, out var p) ? p : null;

    /// <summary>
    /// The state a command uses: <paramref name="explicitLocation"/> (a resolved path or a server
    /// URI), else the session default when it is a server, else the directory search.
    /// </summary>
    public static string ResolveLocation(string? explicitLocation)
    {
        if (ClusterState.StateSource.IsRemoteLocation(explicitLocation)) return explicitLocation!;
        string? session = Get();
        if (string.IsNullOrEmpty(explicitLocation) && ClusterState.StateSource.IsRemoteLocation(session)) return session!;
        return ClusterState.StateLocator.Resolve(explicitLocation, ClusterState.StateSource.IsRemoteLocation(session) ? null : session);
    }

    public static void Set(string? path)
    {
        if (Runspace.DefaultRunspace is not { } r) return;
        Paths.Remove(r);
        if (path is not null) Paths.Add(r, path);
    }
}
