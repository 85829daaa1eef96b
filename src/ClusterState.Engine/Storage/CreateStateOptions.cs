using System;

namespace ClusterState;

/// <summary>Options for <see cref="StateStore.Create"/>.</summary>
public sealed class CreateStateOptions
{
    /// <summary>Replace an existing state in the directory (as a new generation of it).</summary>
    public bool Force { get; set; }
    /// <summary>How long to wait for another writer's lock.</summary>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>Schema version to write (default: the current one).</summary>
    public int SchemaVersion { get; set; } = ClusterSchema.CurrentVersion;
}
