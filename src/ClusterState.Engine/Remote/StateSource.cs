using System;
using System.Collections.Generic;
using System.Threading;

namespace ClusterState;

/// <summary>
/// Where a cmdlet's state lives: a state directory on this machine (<see cref="LocalStateSource"/>)
/// or a ClusterState server reached over Arrow Flight (<see cref="RemoteState"/>). Reads get a
/// <see cref="ClusterSnapshot"/> either way, so every query, summary and export runs the same code
/// on the same Arrow columns; writes are change sets applied by whoever owns the directory.
/// </summary>
public abstract class StateSource : IDisposable
{
    /// <summary>The state directory or the server's URI.</summary>
    public abstract string Location { get; }

    /// <summary>True for a server.</summary>
    public abstract bool IsRemote { get; }

    /// <summary>Opens the current snapshot (dispose it when done).</summary>
    public ClusterSnapshot Open() => Open(null);

    /// <summary>
    /// Opens the current snapshot; <paramref name="progress"/> hears (rows received, rows in all)
    /// while a server's state is fetched, on the calling thread.
    /// </summary>
    public abstract ClusterSnapshot Open(Action<long, long>? progress);

    /// <summary>Reads state_metadata.json of the current generation.</summary>
    public abstract StateMetadata ReadMetadata();

    /// <summary>What Get-ClusterMetadata reports: ids, generation, counts, snapshot size, checkpoints.</summary>
    public abstract ClusterMetadata Describe();

    /// <summary>Applies a change set as one atomic commit.</summary>
    public abstract CommitResult Commit(ChangeSet changes);

    /// <summary>
    /// Commits the change set <paramref name="plan"/> computes from the snapshot it changes:
    /// locally under the writer lock, remotely by retrying on the generation it was planned on.
    /// </summary>
    public abstract CommitResult Commit(Func<ClusterSnapshot, ChangeSet> plan);

    /// <summary>Waits until the generation is past <paramref name="afterGeneration"/>; the new metadata, or null after <paramref name="timeout"/>.</summary>
    public abstract StateMetadata? WaitForCommit(long afterGeneration, TimeSpan timeout, CancellationToken cancel);

    /// <summary>
    /// The commits after <paramref name="after"/> up to <paramref name="upTo"/>, oldest first, each
    /// with the objects it wrote and the ids it removed (from the commit log; ChangeFeed), read as
    /// the result is enumerated.
    /// </summary>
    public abstract IEnumerable<ClusterStateChange> ChangesBetween(long after, long upTo);

    /// <summary>Starts keeping what a later <see cref="ChangesBetween"/> needs (a watcher calls it when it starts and at every commit it sees): the local state's commit log stays readable through a compaction.</summary>
    public virtual void FollowChanges()
    {
    }

    /// <summary>Writes a Parquet checkpoint, keeping the newest <paramref name="keep"/>.</summary>
    public abstract CheckpointInfo SaveCheckpoint(int keep, Action<int, int>? progress);

    /// <summary>After a commit: writes the checkpoint the policy asks for (a server does this itself).</summary>
    public abstract CheckpointInfo? SaveCheckpointIfDue(Action<int, int>? progress);

    /// <summary>The checkpoints, newest first.</summary>
    public abstract IReadOnlyList<CheckpointInfo> ListCheckpoints();

    /// <summary>Makes a checkpoint the current state (a commit).</summary>
    public abstract StateMetadata Restore(CheckpointInfo checkpoint);

    /// <summary>Sets or clears the automatic checkpoint policy.</summary>
    public abstract void SetCheckpointPolicy(CheckpointPolicy? policy);

    /// <summary>Migrates the state to the current schema version (null when it was current).</summary>
    public abstract CommitResult? Migrate(Action<string>? progress);

    /// <summary>Folds the commit log into a new base (DESIGN.md §5); the new base's generation, or null when there was no log to fold.</summary>
    public abstract long? Compact(Action<string>? progress);

    /// <summary>True when <paramref name="location"/> is a server URI rather than a path.</summary>
    public static bool IsRemoteLocation(string? location) => RemoteState.IsRemoteUri(location);

    /// <inheritdoc />
    public virtual void Dispose() => GC.SuppressFinalize(this);

    /// <inheritdoc />
    public override string ToString() => Location;
}
