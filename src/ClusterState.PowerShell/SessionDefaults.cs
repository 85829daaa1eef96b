using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace ClusterState.PowerShell;

/// <summary>
/// The state directory set by Connect-ClusterState, per runspace, so thread jobs and other
/// runspaces in the same process keep their own defaults.
/// </summary>
internal static class SessionDefaults
{
    private static readonly ConditionalWeakTable<Runspace, string> Paths = new();

    public static string? Get() => Runspace.DefaultRunspace is { } r && Paths.TryGetValue(r, out var p) ? p : null;

    public static void Set(string? path)
    {
        if (Runspace.DefaultRunspace is not { } r) return;
        Paths.Remove(r);
        if (path is not null) Paths.Add(r, path);
    }
}
