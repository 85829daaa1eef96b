using System;
using System.Linq;
using ClusterState.Storage;
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

    [Fact]
    public void Open_UnchangedStateTwice_SharesTheMappingAndSurvivesDisposingEitherHandle()
    {
        // Here, not beside parallel tests: the cache keeps eight directories, and tests opening
        // others between the two opens evicted this one (a clean-clone CI run failed so).
        using var dir = new TempDirectory();
        var sample = TestStates.Sample(nodes: 4, tasks: 200, content: 10, seed: 45);
        string path = TestStates.Create(dir, sample);
        var first = ClusterSnapshot.Open(path);
        using var second = ClusterSnapshot.Open(path);
        Assert.True(ReferenceEquals(first.RecordBatch, second.RecordBatch));
        first.Dispose();
        Assert.Throws<ObjectDisposedException>(() => first.TaskCount);
        Assert.Equal(200, second.TaskCount);
        Assert.Equal(sample.Tasks.Last().Id, second.FindTasks(new TaskQuery()).Items.Last().Id);
    }

    [Fact]
    public void AnOlderGeneration_IsReadOnFromAnEarlierOne_AndLeavesTheNewestCached()
    {
        using var dir = new TempDirectory();
        string path = TestStates.Create(dir, TestStates.Sample(nodes: 4, tasks: 50, content: 10));
        string[] ids = FirstTaskIds(path, 3);
        var metadata = ids.Select((id, i) =>
        {
            SetMemory(path, id, 1000 + i);
            return StateMetadata.Read(path);
        }).ToList();
        string snapshotPath = System.IO.Path.Combine(path, metadata[^1].Snapshot);
        Storage.SnapshotCache.Clear();
        var first = Storage.SnapshotCache.Acquire(snapshotPath, metadata[0]);
        var newest = Storage.SnapshotCache.Acquire(snapshotPath, metadata[2]);
        // A thread that read the metadata a moment earlier asks for the generation before the newest.
        var middle = Storage.SnapshotCache.Acquire(snapshotPath, metadata[1]);
        var newestAgain = Storage.SnapshotCache.Acquire(snapshotPath, metadata[2]);
        try
        {
            Assert.Equal(new[] { metadata[0].Generation, metadata[1].Generation, metadata[2].Generation }, new[] { first.Generation, middle.Generation, newest.Generation });
            Assert.Same(newest, newestAgain); // the older read did not replace the newest state
            Assert.Equal(1001, ReadMemory(middle, ids[1]));
            Assert.NotEqual(1002, ReadMemory(middle, ids[2])); // not yet the newest commit's value
            Assert.Equal(1002, ReadMemory(newest, ids[2]));
        }
        finally
        {
            foreach (var d in new[] { first, newest, middle, newestAgain }) d.Release();
        }
    }

    [Fact]
    public void ThreadsOpeningTheSameNewGenerationAtOnce_MergeItOnce_AndShareIt()
    {
        using var dir = new TempDirectory();
        string path = TestStates.Create(dir, TestStates.Sample(nodes: 4, tasks: 400, content: 10));
        string[] ids = FirstTaskIds(path, 300);
        var noCompaction = new CommitOptions { CompactLogRecords = 0, CompactLogBytes = 0, SummarizeLogRecords = 0 };
        // A log of 300 records, read whole by every thread below (the cache cleared, no summary):
        // the merge takes long enough for the threads to meet in it.
        foreach (var (id, i) in ids.Select((id, i) => (id, i))) SetMemory(path, id, 3000 + i, noCompaction);
        var metadata = StateMetadata.Read(path);
        string snapshotPath = System.IO.Path.Combine(path, metadata.Snapshot);
        for (int round = 0; round < 3; round++)
        {
            Storage.SnapshotCache.Clear();
            const int threads = 6;
            using var start = new System.Threading.Barrier(threads);
            var opened = new Storage.SnapshotData[threads];
            var workers = Enumerable.Range(0, threads).Select(t => new System.Threading.Thread(() =>
            {
                start.SignalAndWait();
                opened[t] = Storage.SnapshotCache.Acquire(snapshotPath, metadata);
            })).ToList();
            workers.ForEach(w => w.Start());
            workers.ForEach(w => w.Join());
            try
            {
                // One merge, handed to every thread (before, each thread merged its own copy).
                Assert.All(opened, d => Assert.Same(opened[0], d));
                Assert.Equal(metadata.Generation, opened[0].Generation);
                Assert.Equal(3299, ReadMemory(opened[0], ids[^1]));
            }
            finally
            {
                foreach (var d in opened) d?.Release();
            }
        }
    }

    [Fact]
    public void ACompaction_BuildsForItsNewBaseOnlyTheIndexesThisProcessCommittedWith()
    {
        // The compactor looks up ids of all three entities in the pinned state (for the carried
        // records); that must not count as this process using the content index, or every
        // committer here would build a million CIDs' index it never uses. (Here, not among the
        // compaction tests: it reads the base the compaction left in this process's cache, which
        // tests running beside it evict.)
        using var dir = new TempDirectory();
        string path = TestStates.Create(dir, TestStates.Sample(seed: 31));
        string[] ids;
        using (var s = ClusterSnapshot.Open(path)) ids = s.FindTasks(new TaskQuery()).Items.Take(3).Select(t => t.Id).ToArray();
        foreach (string id in ids)
            StateStore.Commit(path, new ChangeSet { UpdateTasks = { new TaskUpdate { Id = id, MemoryMB = 4321 } } }, new CommitOptions { CompactLogRecords = 0 });
        Assert.NotNull(StateStore.Compact(path));
        using var compacted = ClusterSnapshot.Open(path);
        Assert.Null(compacted.Data.BaseData);
        Assert.True(SnapshotIndexes.Built(compacted, 1), "the task index this process committed with is ready on the new base");
        Assert.False(SnapshotIndexes.Built(compacted, 2), "the content index was only the compactor's");
    }

    [Fact]
    public void Compaction_HandsItsValidatedIndexedBase_ToTheCommitsAfterIt()
    {
        using var dir = new TempDirectory();
        string path = TestStates.Create(dir, TestStates.Sample(nodes: 4, tasks: 200, content: 10));
        string[] ids = FirstTaskIds(path, 4);
        var noCompaction = new CommitOptions { CompactLogRecords = 0, CompactLogBytes = 0 };
        // Repeated commits of this process use the task id index.
        foreach (var (id, i) in ids.Select((id, i) => (id, i))) SetMemory(path, id, 2000 + i, noCompaction);
        Assert.NotNull(StateStore.Compact(path));
        using var after = ClusterSnapshot.Open(path);
        Assert.Null(after.Data.BaseData); // the new base, no log yet
        Assert.True(after.Data.Holds("index:tasks.id"), "the compaction built the new base's task index before its switch");
        Assert.Equal(2003, after.FindTasks(new TaskQuery { Id = new[] { ids[3] } }).Items.Single().MemoryMB);
    }

    [Fact]
    public void ALargeCommit_IsReadBackInTheBackground_SoTheNextOpenFindsItMerged()
    {
        // A pipeline's record is decoded and merged after the commit, off the caller's path
        // (StateStore.ReadBackRecordBytes); a single-row one is left for the next open to read.
        using var dir = new TempDirectory();
        string path = System.IO.Path.GetFullPath(TestStates.Create(dir, TestStates.Sample(nodes: 8, tasks: 3000, content: 20, seed: 46)));
        string[] ids = FirstTaskIds(path, 3000);
        SetMemory(path, ids[0], 4000);
        StateStore.WaitForCompaction();
        var small = StateMetadata.Read(path);
        Assert.False(Storage.SnapshotCache.HoldsMerged(path, small));
        var change = new ChangeSet();
        change.UpdateTasks.AddRange(ids.Select(id => new TaskUpdate { Id = id, MemoryMB = 4001 }));
        StateStore.Commit(path, change);
        StateStore.WaitForCompaction();
        var large = StateMetadata.Read(path);
        Assert.True(large.LogLength - small.LogLength >= StateStore.ReadBackRecordBytes, $"the record took {large.LogLength - small.LogLength} bytes");
        Assert.True(Storage.SnapshotCache.HoldsMerged(path, large));
        using var after = ClusterSnapshot.Open(path);
        Assert.Equal(4001, after.FindTasks(new TaskQuery { Id = [ids[^1]] }).Items.Single().MemoryMB);
    }

    private static string[] FirstTaskIds(string path, int count)
    {
        using var s = ClusterSnapshot.Open(path);
        return s.FindTasks(new TaskQuery()).Items.Take(count).Select(t => t.Id).ToArray();
    }

    /// <summary>One commit setting a task's MemoryMB (what Set-ClusterTask -MemoryMB commits).</summary>
    private static void SetMemory(string path, string id, int memoryMB, CommitOptions? options = null)
    {
        var change = new ChangeSet();
        change.UpdateTasks.Add(new TaskUpdate { Id = id, MemoryMB = memoryMB });
        StateStore.Commit(path, change, options);
    }

    private static int? ReadMemory(Storage.SnapshotData data, string id)
    {
        var tasks = data.Tasks;
        foreach (int row in tasks.Rows)
            if (tasks.Keys.Get(row) == id) return tasks.Read(row).MemoryMB;
        return null;
    }
}
