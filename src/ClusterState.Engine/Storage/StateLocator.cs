using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace ClusterState;

/// <summary>
/// Finds the state directory (DESIGN.md §3): an explicit path, the session default, the
/// <c>CLUSTERSTATE_PATH</c> environment variable, then the well-known locations.
/// </summary>
public static class StateLocator
{
    /// <summary>The environment variable naming a state directory.</summary>
    public const string EnvironmentVariable = "CLUSTERSTATE_PATH";

    /// <summary>The well-known locations searched last, in order.</summary>
    public static IReadOnlyList<string> WellKnownLocations()
    {
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return new[]
        {
            Path.Combine(home, ".ipfs", "cluster_state"),
            Path.Combine(home, ".ipfs_cluster_state"),
            "/var/lib/ipfs/cluster_state",
        };
    }

    /// <summary>
    /// Resolves the directory to use. An explicit path is used as given (a path to
    /// <c>state_metadata.json</c> means its directory) and must hold a state; otherwise the
    /// first candidate holding <c>state_metadata.json</c> wins.
    /// </summary>
    /// <exception cref="ClusterStateException">StateNotFound, naming every path tried.</exception>
    public static string Resolve(string? explicitPath, string? sessionDefault)
    {
        if (!string.IsNullOrEmpty(explicitPath))
        {
            string dir = Normalize(explicitPath);
            if (!Directory.Exists(dir))
                throw new ClusterStateException(ErrorIds.StateNotFound, ClusterStateErrorKind.NotFound,
                    $"The cluster state directory '{dir}' does not exist.", dir);
            return dir;
        }
        var tried = Candidates(sessionDefault).ToList();
        foreach (var candidate in tried)
        {
            if (File.Exists(Path.Combine(candidate, StateMetadata.FileName))) return candidate;
        }
        throw new ClusterStateException(ErrorIds.StateNotFound, ClusterStateErrorKind.NotFound,
            "No cluster state was found: none was named, the session has none, and neither the environment variable " +
            EnvironmentVariable + " nor the usual locations lead to one. Paths tried: " + string.Join(", ", tried), tried.ToArray());
    }

    /// <summary>Resolves the state and describes where it was found and what it points to.</summary>
    public static StateLocation Describe(string? explicitPath, string? sessionDefault)
    {
        string dir = Resolve(explicitPath, sessionDefault);
        string source = !string.IsNullOrEmpty(explicitPath) ? "Explicit"
            : !string.IsNullOrEmpty(sessionDefault) && Normalize(sessionDefault) == dir ? "Session"
            : Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env && Normalize(env) == dir ? "Environment"
            : "WellKnown";
        var metadata = StateMetadata.Read(dir);
        return new StateLocation
        {
            StatePath = dir,
            MetadataPath = Path.Combine(dir, StateMetadata.FileName),
            SnapshotPath = Path.Combine(dir, metadata.Snapshot),
            ParquetPath = metadata.ParquetPath,
            Source = source,
        };
    }

    /// <summary>The candidate directories in search order (without an explicit path).</summary>
    public static IEnumerable<string> Candidates(string? sessionDefault)
    {
        if (!string.IsNullOrEmpty(sessionDefault)) yield return Normalize(sessionDefault);
        string? env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(env)) yield return Normalize(env);
        foreach (var location in WellKnownLocations()) yield return location;
    }

    private static string Normalize(string path)
    {
        string full = Path.GetFullPath(path);
        return string.Equals(Path.GetFileName(full), StateMetadata.FileName, StringComparison.Ordinal)
            ? Path.GetDirectoryName(full)!
            : Path.TrimEndingDirectorySeparator(full);
    }
}
