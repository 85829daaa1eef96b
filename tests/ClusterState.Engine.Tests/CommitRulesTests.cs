using System;
using System.Linq;
using ClusterState.Query;
using Xunit;

namespace ClusterState.Engine.Tests;

/// <summary>What commits accept (issue 13): ids, removed nodes' tasks, overflowing increments, empty change sets.</summary>
public sealed class CommitRulesTests
{
    private static readonly DateTime Now = new(2026, 11, 30, 8, 0, 0, DateTimeKind.Utc);

    /// <summary>A small state: nodes n1, n2; n1 runs t-run and t-assigned and ran t-done; t-ghost points at a node that is gone; 'wild*' is an id written before the rules.</summary>
    private static (TempDirectory Dir, string Path) NewState()
    {
        var dir = new TempDirectory();
        string path = dir.Combine("state");
        StateStore.Create(path, new StateContent
        {
            ClusterId = "c",
            MasterId = "n1",
            Nodes = new[] { new ClusterNode { Id = "n1", Role = "worker", Status = "online" }, new ClusterNode { Id = "n2", Role = "worker", Status = "online" } },
            Tasks = new[]
            {
                new ClusterTask { Id = "t-run", Type = "x", Status = "running", AssignedTo = "n1", StartedAt = Now.AddMinutes(-5) },
                new ClusterTask { Id = "t-assigned", Type = "x", Status = "assigned", AssignedTo = "n1" },
                new ClusterTask { Id = "t-done", Type = "x", Status = "completed", AssignedTo = "n1", StartedAt = Now.AddMinutes(-9), CompletedAt = Now.AddMinutes(-8) },
                new ClusterTask { Id = "t-other", Type = "x", Status = "running", AssignedTo = "n2" },
                new ClusterTask { Id = "t-ghost", Type = "x", Status = "running", AssignedTo = "gone" },
                new ClusterTask { Id = "wild*", Type = "x", Status = "pending" },
                new ClusterTask { Id = "wild1", Type = "x", Status = "pending" },
            },
            Content = new[] { new ClusterContent { Cid = "bafy1", Replication = int.MaxValue - 1 } },
        });
        return (dir, path);
    }

    private static ClusterTask Task(string path, string id)
    {
        using var s = ClusterSnapshot.Open(path);
        return s.FindTasks(new TaskQuery { Id = new[] { id } }).Items.Single();
    }

    private static long Generation(string path)
    {
        using var s = ClusterSnapshot.Open(path);
        return s.Generation;
    }

    private static ClusterStateException Refused(string path, ChangeSet changes)
    {
        long before = Generation(path);
        var e = Assert.Throws<ClusterStateException>(() => StateStore.Commit(path, changes, new CommitOptions { Now = Now }));
        Assert.Equal(before, Generation(path));
        return e;
    }

    [Fact]
    public void Commit_RemoveNodeWithAssignedTasks_IsRefusedWithTheCountAndTaskIds()
    {
        var (dir, path) = NewState();
        using var _ = dir;
        var e = Refused(path, new ChangeSet { RemoveNodes = { "n1" } });
        Assert.Equal(ErrorIds.NodeHasTasks, e.ErrorId);
        Assert.Equal(ClusterStateErrorKind.Conflict, e.Kind);
        Assert.Contains("3 task(s)", e.Message, StringComparison.Ordinal);
        Assert.Contains("2 of them not finished", e.Message, StringComparison.Ordinal);
        Assert.Contains("t-run", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Commit_RemoveNodeWithRequeue_ReturnsUnfinishedTasksToPendingAndUnassignsFinishedOnesInOneCommit()
    {
        var (dir, path) = NewState();
        using var _ = dir;
        var result = StateStore.Commit(path, new ChangeSet { RemoveNodes = { "n1" }, RequeueTasksOfRemovedNodes = true }, new CommitOptions { Now = Now });
        Assert.Equal(2, result.Generation);
        Assert.Equal(1, result.Removed);
        Assert.Equal(3, result.Updated);
        foreach (var id in new[] { "t-run", "t-assigned" })
        {
            var t = Task(path, id);
            Assert.Equal("pending", t.Status);
            Assert.Null(t.AssignedTo);
            Assert.Null(t.StartedAt);
            Assert.Equal(Now, t.UpdatedAt);
        }
        var done = Task(path, "t-done");
        Assert.Equal("completed", done.Status);
        Assert.Null(done.AssignedTo);
        Assert.Equal(Now.AddMinutes(-8), done.CompletedAt);
        Assert.Equal("n2", Task(path, "t-other").AssignedTo);
    }

    [Fact]
    public void Commit_RemoveManyNodes_FindsTheirTasksThroughTheNodeIndex()
    {
        using var dir = new TempDirectory();
        var sample = TestStates.Sample(nodes: 40, tasks: 2000, content: 10);
        string path = TestStates.Create(dir, sample);
        var nodes = sample.Nodes.Select(n => n.Id).Take(20).ToList();
        int assigned = sample.Tasks.Count(t => t.AssignedTo is not null && nodes.Contains(t.AssignedTo));
        Assert.True(assigned > 0);
        var changes = new ChangeSet();
        changes.RemoveNodes.AddRange(nodes);
        var e = Refused(path, changes);
        Assert.Equal(ErrorIds.NodeHasTasks, e.ErrorId);
        Assert.StartsWith($"{assigned} task(s)", e.Message, StringComparison.Ordinal);
        changes.RequeueTasksOfRemovedNodes = true;
        Assert.Equal(assigned, StateStore.Commit(path, changes).Updated);
        using var s = ClusterSnapshot.Open(path);
        Assert.DoesNotContain(s.FindTasks(new TaskQuery()).Items, t => t.AssignedTo is not null && nodes.Contains(t.AssignedTo));
    }

    [Fact]
    public void Commit_RemoveNodeWhoseTasksTheSameChangeSetReassigns_IsAccepted()
    {
        var (dir, path) = NewState();
        using var _ = dir;
        StateStore.Commit(path, new ChangeSet
        {
            RemoveNodes = { "n1" },
            UpdateTasks = { new TaskUpdate { Id = "t-run", AssignedTo = "n2" }, new TaskUpdate { Id = "t-assigned", Status = "pending" } },
            RemoveTasks = { "t-done" },
        }, new CommitOptions { Now = Now });
        Assert.Equal("n2", Task(path, "t-run").AssignedTo);
        // Setting a task that is pending already to pending does not clear its assignment: not handled.
        StateStore.Commit(path, new ChangeSet { AddTasks = { new ClusterTask { Id = "t-queued", Type = "x", Status = "pending", AssignedTo = "n2" } } });
        Assert.Equal(ErrorIds.NodeHasTasks, Refused(path, new ChangeSet
        {
            RemoveNodes = { "n2" },
            UpdateTasks = { new TaskUpdate { Id = "t-run", Unassign = true, Status = "pending" }, new TaskUpdate { Id = "t-other", Status = "pending" }, new TaskUpdate { Id = "t-queued", Status = "pending" } },
        }).ErrorId);
    }

    [Fact]
    public void Commit_TaskWhoseNodeIsGone_AcceptsEditsThatDoNotTouchTheAssignment()
    {
        var (dir, path) = NewState();
        using var _ = dir;
        StateStore.Commit(path, new ChangeSet { UpdateTasks = { new TaskUpdate { Id = "t-ghost", Status = "completed", CpuCores = 2 } } }, new CommitOptions { Now = Now });
        Assert.Equal("completed", Task(path, "t-ghost").Status);
        // Writing the assignment still requires the node.
        Assert.Equal(ErrorIds.AssignedNodeNotFound, Refused(path, new ChangeSet { UpdateTasks = { new TaskUpdate { Id = "t-ghost", AssignedTo = "gone" } } }).ErrorId);
    }

    [Theory]
    [InlineData("wild*")]
    [InlineData("a?b")]
    [InlineData("a[1]")]
    [InlineData("nul\0x")]
    [InlineData("tab\tx")]
    [InlineData("rtl\u202Egnp.exe")]
    [InlineData("iso\u2066x")]
    [InlineData("lone<D800>x")]
    [InlineData(" padded")]
    [InlineData("padded ")]
    public void Commit_IdBreakingTheRules_IsInvalidIdOnEveryEntityAndReference(string id)
    {
        id = id.Replace("<D800>", "\uD800", StringComparison.Ordinal); // xunit would turn a lone surrogate in InlineData into U+FFFD
        var (dir, path) = NewState();
        using var _ = dir;
        var cases = new[]
        {
            new ChangeSet { AddNodes = { new ClusterNode { Id = id, Role = "worker", Status = "online" } } },
            new ChangeSet { AddTasks = { new ClusterTask { Id = id, Type = "x", Status = "pending" } } },
            new ChangeSet { AddContent = { new ClusterContent { Cid = id } } },
            new ChangeSet { AddTasks = { new ClusterTask { Id = "t-new", Type = "x", Status = "pending", InputCids = new[] { id } } } },
            new ChangeSet { UpdateTasks = { new TaskUpdate { Id = "t-run", AssignedTo = id } } },
            new ChangeSet { UpdateTasks = { new TaskUpdate { Id = "t-run", AddOutputCids = new[] { id } } } },
            new ChangeSet { UpdateNodes = { new NodeUpdate { Id = "n1", AddPeers = new[] { id } } } },
            new ChangeSet { UpdateContent = { new ContentUpdate { Cid = "bafy1", AddProviders = new[] { id } } } },
        };
        foreach (var changes in cases)
        {
            var e = Refused(path, changes);
            Assert.Equal(ErrorIds.InvalidId, e.ErrorId);
            Assert.Equal(ClusterStateErrorKind.InvalidArgument, e.Kind);
        }
    }

    [Fact]
    public void Commit_IdLength_IsLimitedTo256Utf8Bytes()
    {
        var (dir, path) = NewState();
        using var _ = dir;
        StateStore.Commit(path, new ChangeSet { AddTasks = { new ClusterTask { Id = new string('a', IdRules.MaxBytes), Type = "x", Status = "pending" } } });
        Assert.Equal(ErrorIds.InvalidId, Refused(path, new ChangeSet { AddTasks = { new ClusterTask { Id = new string('a', 1 << 20), Type = "x", Status = "pending" } } }).ErrorId);
        // 129 two-byte characters: 258 bytes.
        Assert.Equal(ErrorIds.InvalidId, Refused(path, new ChangeSet { AddNodes = { new ClusterNode { Id = new string('é', 129), Role = "worker", Status = "online" } } }).ErrorId);
    }

    [Fact]
    public void Commit_IdDifferingOnlyInCase_IsDuplicateId()
    {
        var (dir, path) = NewState();
        using var _ = dir;
        Assert.Equal(ErrorIds.DuplicateId, Refused(path, new ChangeSet { AddTasks = { new ClusterTask { Id = "T-RUN", Type = "x", Status = "pending" } } }).ErrorId);
        Assert.Equal(ErrorIds.DuplicateId, Refused(path, new ChangeSet { AddNodes = { new ClusterNode { Id = "N2", Role = "worker", Status = "online" } } }).ErrorId);
        Assert.Equal(ErrorIds.DuplicateId, Refused(path, new ChangeSet { AddContent = { new ClusterContent { Cid = "x-a" }, new ClusterContent { Cid = "X-A" } } }).ErrorId);
        // Replacing an item by its case variant in one change set is fine.
        StateStore.Commit(path, new ChangeSet { RemoveContent = { "bafy1" }, AddContent = { new ClusterContent { Cid = "BAFY1" } } });
    }

    [Fact]
    public void Commit_ExistingIdsThatBreakTheRules_StayChangeableAndRemovableByExactId()
    {
        var (dir, path) = NewState();
        using var _ = dir;
        StateStore.Commit(path, new ChangeSet { UpdateTasks = { new TaskUpdate { Id = "wild*", Type = "y" } } });
        Assert.Equal("y", Task(path, "wild`*").Type);
        StateStore.Commit(path, new ChangeSet { RemoveTasks = { "wild*" } });
        using var s = ClusterSnapshot.Open(path);
        Assert.Equal(new[] { "wild1" }, s.FindTasks(new TaskQuery { Id = new[] { "wild*" } }).Items.Select(t => t.Id).ToArray());
    }

    [Theory]
    [InlineData(int.MaxValue)]
    [InlineData(2)]
    public void Commit_ReplicationDeltaBeyondInt32_IsInvalidResourceValue(int delta)
    {
        var (dir, path) = NewState();
        using var _ = dir;
        var e = Refused(path, new ChangeSet { UpdateContent = { new ContentUpdate { Cid = "bafy1", ReplicationDelta = delta } } });
        Assert.Equal(ErrorIds.InvalidResourceValue, e.ErrorId);
        Assert.Contains("outside 0", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("negative", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Commit_EmptyChangeSet_MakesNoGeneration()
    {
        var (dir, path) = NewState();
        using var _ = dir;
        var result = StateStore.Commit(path, new ChangeSet());
        Assert.False(result.Changed);
        Assert.Equal(1, result.Generation);
        Assert.Equal(1, result.PreviousGeneration);
        Assert.Equal(1, Generation(path));
        Assert.False(StateStore.Commit(path, _ => new ChangeSet { ExpectedGeneration = 1 }).Changed);
        // A stale expectation still fails: it says the caller's view is out of date.
        Assert.Equal(ErrorIds.GenerationConflict, Refused(path, new ChangeSet { ExpectedGeneration = 7 }).ErrorId);
    }
}
