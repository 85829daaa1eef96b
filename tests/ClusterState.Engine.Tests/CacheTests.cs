using System;
using System.Linq;
using Xunit;

namespace ClusterState.Engine.Tests;

/// <summary>The process-wide snapshot cache; serial, because other tests clear the cache.</summary>
[Collection("Processes")]
public sealed class CacheTests
{
    [Fact]
    public void Open_ManyStates_KeepsOnlyTheMostRecentlyUsedMapped()
    {
        using var dir = new TempDirectory();
        var paths = Enumerable.Range(0, Storage.SnapshotCache.Capacity + 3)
            .Select(i => TestStates.Create(dir, TestStates.Sample(nodes: 2, tasks: 2, content: 2, seed: i), $"s{i}")).ToList();
        var handles = paths.Select(ClusterSnapshot.Open).ToList();
        var firstBatch = handles[0].RecordBatch;
        foreach (var h in handles) h.Dispose();
        // The first state was evicted: its mapping is gone once its handle is disposed.
        Assert.Throws<ObjectDisposedException>(() => ((Apache.Arrow.ListArray)firstBatch.Column("tasks")).ValueOffsets[0]);
        // The most recent one is still cached: reopening shares the same batch.
        using var again = ClusterSnapshot.Open(paths[^1]);
        using var twice = ClusterSnapshot.Open(paths[^1]);
        Assert.Same(again.RecordBatch, twice.RecordBatch);
    }

}
