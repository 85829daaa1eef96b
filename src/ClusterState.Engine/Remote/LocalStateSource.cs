using System;
using System.Collections.Generic;
using System.Threading;

namespace ClusterState;

/// <summary>A state directory on this machine.</summary>
public sealed class LocalStateSource(string directory) : StateSource
{
    private StateWatcher? _watcher;
    private ChangeFeed? _feed;

    /// <inheritdoc />
    public override string Location { get; } = directory;

    /// <inheritdoc />
    public override bool IsRemote => false;

    /// <inheritdoc />
    public override ClusterSnapshot Open(Action<long, long>? progress) => ClusterSnapshot.Open(Location);

    /// <inheritdoc />
    public override StateMetadata ReadMetadata() => StateMetadata.Read(Location);

    /// <inheritdoc />
    public override ClusterMetadata Describe()
    {
        using var snapshot = Open();
        return snapshot.Describe();
    }

    /// <inheritdoc />
    public override CommitResult Commit(ChangeSet changes) => StateStore.Commit(Location, changes);

    /// <inheritdoc />
    public override CommitResult Commit(Func<ClusterSnapshot, ChangeSet> plan) => StateStore.Commit(Location, plan);

    /// <inheritdoc />
    public override StateMetadata? WaitForCommit(long afterGeneration, TimeSpan timeout, CancellationToken cancel)
    {
        var metadata = (_watcher ??= new StateWatcher(Location)).WaitForCommit(afterGeneration, timeout, cancel);
        // Hold the log of what just committed before a compaction can fold it away (a watcher's changes are read from it).
        if (metadata is not null) _feed?.Observe();
        return metadata;
    }

    /// <inheritdoc />
    public override IEnumerable<ClusterStateChange> ChangesBetween(long after, long upTo) => Feed.Between(after, upTo);

    /// <inheritdoc />
    public override void FollowChanges() => Feed.Observe();

    private ChangeFeed Feed => _feed ??= new ChangeFeed(Location);

    /// <inheritdoc />
    public override CheckpointInfo SaveCheckpoint(int keep, Action<int, int>? progress) => Checkpoints.Save(Location, keep, progress: progress);

    /// <inheritdoc />
    public override CheckpointInfo? SaveCheckpointIfDue(Action<int, int>? progress) => Checkpoints.SaveIfDue(Location, progress: progress);

    /// <inheritdoc />
    public override IReadOnlyList<CheckpointInfo> ListCheckpoints() => Checkpoints.List(Location);

    /// <inheritdoc />
    public override StateMetadata Restore(CheckpointInfo checkpoint) => Checkpoints.Restore(Location, checkpoint.Path);

    /// <inheritdoc />
    public override void SetCheckpointPolicy(CheckpointPolicy? policy) => Checkpoints.SetPolicy(Location, policy);

    /// <inheritdoc />
    public override CommitResult? Migrate(Action<string>? progress) => StateStore.Migrate(Location, progress: progress);

    /// <inheritdoc />
    public override long? Compact(Action<string>? progress) => StateStore.Compact(Location, progress);

    /// <inheritdoc />
    public override void Dispose()
    {
        _watcher?.Dispose();
        _watcher = null;
        _feed?.Dispose();
        _feed = null;
        base.Dispose();
    }
}
