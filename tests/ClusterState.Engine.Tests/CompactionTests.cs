using System;
using System.IO;
using System.Linq;
using ClusterState.Storage;
using Xunit;
using static ClusterState.Engine.Tests.CommitLogTests;

namespace ClusterState.Engine.Tests;

/// <summary>
/// Compaction (DESIGN.md §5): the log folded into a new base changes no answer and no generation,
/// commits that land while the new base is written are carried over, and committing processes
/// compact on their own when a log passes its threshold.
/// </summary>
public class CompactionTests
{
    /// <summary>Commits one random change at <paramref name="now"/> (no automatic compaction: the tests compact themselves) and applies it to the model.</summary>
    private static void CommitRandom(string path, Model model, Random random, ref int serial, DateTime now)
    {
        var change = RandomChange(random, model, ref serial, now);
        StateStore.Commit(path, change, new CommitOptions { Now = now, CompactLogRecords = 0 });
        model.Apply(change, now);
    }

    [Fact]
    public void Compacting_FoldsTheLogIntoANewBase_AndChangesNoAnswer()
    {
        var (dir, path, model) = CommitRandomly(seed: 21, commits: 20, checkEach: false);
        using var _ = dir;
        var before = StateMetadata.Read(path);
        long? baseGeneration = StateStore.Compact(path);
        Assert.Equal(before.Generation, baseGeneration);
        var after = StateMetadata.Read(path);
        Assert.Equal(before.Generation, after.Generation);
        Assert.Null(after.Log);
        Assert.Equal(StateStore.SnapshotFileName(before.Generation), after.Snapshot);
        ClusterSnapshot.ClearCache();
        using (var s = ClusterSnapshot.Open(path))
        {
            Assert.Null(s.Data.BaseData);
            AssertSame(model.Rows(), Rows(s), "after compaction");
        }
        // Nothing to fold now; and commits go on over the new base.
        Assert.Null(StateStore.Compact(path));
        var random = new Random(5);
        int serial = 1000;
        for (int c = 0; c < 5; c++)
        {
            var now = Start.AddMinutes(c + 1);
            CommitRandom(path, model, random, ref serial, now);
        }
        using var later = ClusterSnapshot.Open(path);
        AssertSame(model.Rows(), Rows(later), "commits after compaction");
        StateStore.WaitForCleanup();
        // The old base's log stays while it is the previous log (the change feed reads it), and
        // goes with the next base.
        Assert.Equal(before.Log, StateMetadata.Read(path).PreviousLog);
        Assert.Equal(before.Generation, StateMetadata.Read(path).PreviousLogEnd);
        Assert.True(File.Exists(Path.Combine(path, before.Log!)), "the previous log stays until the next base");
        for (int c = 0; c < 3; c++)
        {
            var now = Start.AddMinutes(10 + c);
            CommitRandom(path, model, random, ref serial, now);
        }
        StateStore.Compact(path);
        StateStore.WaitForCleanup();
        Assert.False(File.Exists(Path.Combine(path, before.Log!)), "the old base's log goes with the next base");
    }

    [Fact]
    public void CommitsDuringTheFold_AreCarriedIntoTheNewBasesLog()
    {
        var (dir, path, model) = CommitRandomly(seed: 22, commits: 12, checkEach: false);
        using var _ = dir;
        var random = new Random(9);
        int serial = 2000, landed = 0;
        long? baseGeneration = LogCompactor.Run(path, progress: phase =>
        {
            // Between the pinned fold and the switch, other writers commit: adds, updates and
            // removals of rows of the pinned generation and of rows they add themselves. Those of
            // "write" are published before the compactor carries records with no lock held, those
            // of "switch" after it: they are carried under the lock, on top of the first ones.
            if (phase is not ("write" or "switch")) return;
            for (int c = 0; c < 3; c++)
            {
                var now = Start.AddHours(landed + 1);
                CommitRandom(path, model, random, ref serial, now);
                landed++;
            }
        });
        Assert.Equal(13, baseGeneration);
        var metadata = StateMetadata.Read(path);
        Assert.Equal(13 + landed, metadata.Generation);
        Assert.Equal(CommitLog.FileName(13), metadata.Log);
        ClusterSnapshot.ClearCache();
        using var s = ClusterSnapshot.Open(path);
        Assert.Null(s.LogDamage);
        Assert.Equal(landed, s.Data.AppliedRecords);
        AssertSame(model.Rows(), Rows(s), "carried records over the new base");
    }

    [Fact]
    public void TheFirstOpenAfterTheSwitch_GoesOnFromTheCarriedRecords_WithTheSameAnswers()
    {
        // The records carried before the lock are written under a temporary name and merged over
        // the new base in the compactor's process, and its cache offers that merge: the first
        // open after the switch (no ClearCache here) reads on from it, through the records
        // carried under the lock, and must answer as a fresh read of the new log does.
        var (dir, path, model) = CommitRandomly(seed: 25, commits: 10, checkEach: false);
        using var _ = dir;
        var random = new Random(11);
        int serial = 3000, landed = 0;
        bool pendingSeen = false;
        LogCompactor.Run(path, progress: phase =>
        {
            if (phase == "switch") pendingSeen = Directory.GetFiles(path, "commits_*.arrows.tmp-*").Length == 1;
            if (phase is not ("write" or "switch")) return;
            for (int c = 0; c < 4; c++)
            {
                var now = Start.AddHours(landed + 1);
                CommitRandom(path, model, random, ref serial, now);
                landed++;
            }
        });
        Assert.True(pendingSeen, "the records carried before the lock wait under a temporary name");
        Assert.Empty(Directory.GetFiles(path, "*.tmp-*"));
        using (var s = ClusterSnapshot.Open(path))
        {
            Assert.Null(s.LogDamage);
            Assert.Equal(landed, s.Data.AppliedRecords);
            AssertSame(model.Rows(), Rows(s), "read on from the offered merge");
        }
        // A commit over it, then the same answers from a fresh read of the whole new log.
        var later = Start.AddDays(3);
        CommitRandom(path, model, random, ref serial, later);
        using (var warm = ClusterSnapshot.Open(path)) AssertSame(model.Rows(), Rows(warm), "a commit after the switch");
        ClusterSnapshot.ClearCache();
        using var fresh = ClusterSnapshot.Open(path);
        AssertSame(model.Rows(), Rows(fresh), "the new log read fresh");
    }

    [Fact]
    public void ACompactionThatDoesNotSwitch_RemovesTheLogItWroteAhead()
    {
        // Records carried before the lock are written ahead under a temporary name; another
        // compaction switches first (of a later generation), so this one gives up: the live state
        // is untouched and its temporary log is gone.
        var (dir, path, model) = CommitRandomly(seed: 26, commits: 6, checkEach: false);
        using var _ = dir;
        var random = new Random(12);
        int serial = 4000;
        long? inner = null;
        long? outer = LogCompactor.Run(path, progress: phase =>
        {
            if (phase == "write")
            {
                var now = Start.AddHours(1);
                CommitRandom(path, model, random, ref serial, now);
            }
            if (phase == "switch" && inner is null) inner = LogCompactor.Run(path);
        });
        Assert.Null(outer);
        Assert.Equal(8, inner);
        Assert.Empty(Directory.GetFiles(path, "*.tmp-*"));
        Assert.Equal(StateStore.SnapshotFileName(8), StateMetadata.Read(path).Snapshot);
        ClusterSnapshot.ClearCache();
        using var s = ClusterSnapshot.Open(path);
        AssertSame(model.Rows(), Rows(s), "after the compaction that gave up");
    }

    [Fact]
    public void ACommitWhoseLogPassesTheThreshold_CompactsInTheBackground()
    {
        var (dir, path, model) = CommitRandomly(seed: 23, commits: 3, checkEach: false);
        using var _ = dir;
        var change = new ChangeSet { AddContent = { new ClusterContent { Cid = "bafy-threshold", Size = 1, CreatedAt = Start } } };
        var result = StateStore.Commit(path, change, new CommitOptions { CompactLogRecords = 4, Now = Start.AddDays(1) });
        model.Apply(change, Start.AddDays(1));
        StateStore.WaitForCompaction();
        var metadata = StateMetadata.Read(path);
        Assert.Null(metadata.Log);
        Assert.Equal(StateStore.SnapshotFileName(result.Generation), metadata.Snapshot);
        using var s = ClusterSnapshot.Open(path);
        AssertSame(model.Rows(), Rows(s), "after the automatic compaction");
    }

    [Fact]
    public void TwoCompactionsOfTheSameGeneration_TheOneThatSwitchesSecondLeavesTheLiveBaseAlone()
    {
        // Two processes past the threshold pin the same generation and write the same base name;
        // the second to reach the switch gives up, and must not delete the file the first switched to.
        var (dir, path, model) = CommitRandomly(seed: 24, commits: 8, checkEach: false);
        using var _ = dir;
        long? inner = null;
        long? outer = LogCompactor.Run(path, progress: phase =>
        {
            if (phase == "switch" && inner is null) inner = LogCompactor.Run(path);
        });
        Assert.Equal(9, inner);
        Assert.Null(outer);
        var metadata = StateMetadata.Read(path);
        Assert.Equal(StateStore.SnapshotFileName(9), metadata.Snapshot);
        Assert.True(File.Exists(Path.Combine(path, metadata.Snapshot)), "the live base is still there");
        ClusterSnapshot.ClearCache();
        using (var s = ClusterSnapshot.Open(path)) AssertSame(model.Rows(), Rows(s), "after the race");
        var change = new ChangeSet { AddContent = { new ClusterContent { Cid = "bafy-after-race", Size = 1, CreatedAt = Start } } };
        StateStore.Commit(path, change, new CommitOptions { Now = Start.AddDays(2), CompactLogRecords = 0 });
        model.Apply(change, Start.AddDays(2));
        ClusterSnapshot.ClearCache();
        using var later = ClusterSnapshot.Open(path);
        AssertSame(model.Rows(), Rows(later), "a commit over the raced base");
    }
}
