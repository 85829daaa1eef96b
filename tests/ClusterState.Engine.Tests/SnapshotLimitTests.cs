using System;
using System.IO;
using System.Linq;
using Xunit;
using static ClusterState.Engine.Tests.CommitLogTests;

namespace ClusterState.Engine.Tests;

/// <summary>
/// One snapshot file holds at most 2 GiB (one mapping): a state that would not fit is refused
/// (StateTooLarge) before anything is written — a 4M-task sample was once written as a 2.8 GB
/// snapshot and published, and nothing could open the state after it. The limit is lowered for
/// one directory here (StateStore.SnapshotLimitForTests): tests cannot build 2 GiB states.
/// </summary>
public class SnapshotLimitTests
{
    [Fact]
    public void ANewStateOverTheLimit_IsRefused_AndNothingIsWritten()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("state");
        StateStore.SnapshotLimitForTests = (Path.GetFullPath(path), 256 << 10);
        try
        {
            var content = new SampleCluster(new SampleOptions { NodeCount = 10, TaskCount = 5000, ContentCount = 1000, Seed = 1 }).ToStateContent();
            var e = Assert.Throws<ClusterStateException>(() => StateStore.Create(path, content));
            Assert.Equal(ErrorIds.StateTooLarge, e.ErrorId);
            Assert.Equal(ClusterStateErrorKind.InvalidArgument, e.Kind);
            Assert.False(Directory.Exists(path)); // created for the state, and removed with nothing in it
        }
        finally
        {
            StateStore.SnapshotLimitForTests = null;
        }
    }

    [Fact]
    public void AStateTooLargeForADirectoryThatExisted_LeavesTheDirectory()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("existing");
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "notes.txt"), "an operator's file");
        StateStore.SnapshotLimitForTests = (Path.GetFullPath(path), 16 << 10);
        try
        {
            var content = new SampleCluster(new SampleOptions { NodeCount = 10, TaskCount = 2000, ContentCount = 100, Seed = 2 }).ToStateContent();
            Assert.Equal(ErrorIds.StateTooLarge, Assert.Throws<ClusterStateException>(() => StateStore.Create(path, content)).ErrorId);
        }
        finally
        {
            StateStore.SnapshotLimitForTests = null;
        }
        Assert.True(File.Exists(Path.Combine(path, "notes.txt")));
        Assert.False(File.Exists(Path.Combine(path, StateMetadata.FileName)));
        Assert.Empty(Directory.GetFiles(path, "snapshot_*"));
    }

    [Fact]
    public void ACompactionOverTheLimit_IsRefused_AndTheStateStaysAsItWas()
    {
        var (dir, path, model) = CommitRandomly(seed: 41, commits: 6, checkEach: false);
        using var _ = dir;
        var before = StateMetadata.Read(path);
        StateStore.SnapshotLimitForTests = (Path.GetFullPath(path), 4 << 10);
        try
        {
            Assert.Equal(ErrorIds.StateTooLarge, Assert.Throws<ClusterStateException>(() => StateStore.Compact(path)).ErrorId);
        }
        finally
        {
            StateStore.SnapshotLimitForTests = null;
        }
        Assert.Equal(before.ToString(), StateMetadata.Read(path).ToString());
        ClusterSnapshot.ClearCache();
        using var s = ClusterSnapshot.Open(path);
        AssertSame(model.Rows(), Rows(s), "after the refused compaction");
    }

    [Fact]
    public void TheSizeBound_IsAtLeastTheFileWritten()
    {
        var (dir, path, _) = CommitRandomly(seed: 42, commits: 3, checkEach: false);
        using var _ = dir;
        StateStore.Compact(path);
        using var s = ClusterSnapshot.Open(path);
        long written = new FileInfo(Path.Combine(path, StateMetadata.Read(path).Snapshot)).Length;
        Assert.InRange(StateStore.IpcSize(s.RecordBatch), written, written + (256 << 10));
    }
}
