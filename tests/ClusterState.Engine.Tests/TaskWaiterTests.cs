using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace ClusterState.Engine.Tests;

/// <summary>TaskWaiter: Wait-ClusterTask's loop, without PowerShell.</summary>
public class TaskWaiterTests
{
    // Statuses compare ASCII case-insensitively, as everywhere.
    private static readonly string[] Finished = { "COMPLETED", "Failed", "cancelled" };

    private static (string Path, string[] Pending) NewState(TempDirectory dir)
    {
        string path = TestStates.Create(dir, TestStates.Sample(nodes: 5, tasks: 40, content: 5));
        using var snapshot = ClusterSnapshot.Open(path);
        var pending = snapshot.FindTasks(new TaskQuery { Status = new[] { "pending" } }).Items.Take(2).Select(t => t.Id).ToArray();
        Assert.Equal(2, pending.Length);
        return (path, pending);
    }

    private static void Complete(string path, params string[] ids)
    {
        var change = new ChangeSet();
        foreach (var id in ids) change.UpdateTasks.Add(new TaskUpdate { Id = id, Status = "completed" });
        StateStore.Commit(path, change);
    }

    [Fact]
    public void Wait_TasksAlreadyFinished_ReturnsThemAtOnce()
    {
        using var dir = new TempDirectory();
        var (path, pending) = NewState(dir);
        Complete(path, pending);
        using var source = new LocalStateSource(path);
        var result = new TaskWaiter(source).Wait(pending, Finished, TimeSpan.Zero, CancellationToken.None);
        Assert.Empty(result.MissingIds);
        Assert.Equal(pending.OrderBy(i => i, StringComparer.Ordinal), result.Tasks.Select(t => t.Id).OrderBy(i => i, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Wait_AnotherThreadCommitsTheStatus_ReturnsSoonAfter()
    {
        using var dir = new TempDirectory();
        var (path, pending) = NewState(dir);
        using var source = new LocalStateSource(path);
        var waiting = Task.Run(() => new TaskWaiter(source).Wait(pending, Finished, TimeSpan.FromSeconds(30), CancellationToken.None));
        await Task.Delay(300);
        Complete(path, pending[0]);
        await Task.Delay(300);
        Assert.False(waiting.IsCompleted, "one task is still pending");
        var committed = DateTime.UtcNow;
        Complete(path, pending[1]);
        var result = await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(DateTime.UtcNow - committed < TimeSpan.FromSeconds(5));
        Assert.Equal(2, result.Tasks.Count);
        Assert.All(result.Tasks, t => Assert.Equal("completed", t.Status));
    }

    [Fact]
    public void Wait_StatusNotReachedInTime_ThrowsWaitTimeoutNamingTheWaitingTasks()
    {
        using var dir = new TempDirectory();
        var (path, pending) = NewState(dir);
        Complete(path, pending[0]);
        using var source = new LocalStateSource(path);
        var e = Assert.Throws<ClusterStateException>(() => new TaskWaiter(source).Wait(pending, new[] { "completed" }, TimeSpan.FromMilliseconds(300), CancellationToken.None));
        Assert.Equal(ErrorIds.WaitTimeout, e.ErrorId);
        Assert.Equal(ClusterStateErrorKind.Timeout, e.Kind);
        Assert.Contains($"1 of 2 task(s) are not completed: {pending[1]} (pending)", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(pending[0], e.Message, StringComparison.Ordinal);
        Assert.Equal(new[] { pending[1] }, (string[])e.Target!);
    }

    [Fact]
    public void Wait_UnknownOrWildcardId_ReportsItMissingAtOnce()
    {
        using var dir = new TempDirectory();
        var (path, pending) = NewState(dir);
        using var source = new LocalStateSource(path);
        // A wildcard is taken literally: it must not wait for every task it would match.
        var result = new TaskWaiter(source).Wait(new[] { pending[0], "no-such-task", "*" }, Finished, TimeSpan.FromMinutes(5), CancellationToken.None);
        Assert.Empty(result.Tasks);
        Assert.Equal(new[] { "no-such-task", "*" }, result.MissingIds.ToArray());
    }

    [Fact]
    public async Task Wait_Cancelled_ThrowsOperationCanceled()
    {
        using var dir = new TempDirectory();
        var (path, pending) = NewState(dir);
        using var source = new LocalStateSource(path);
        using var stop = new CancellationTokenSource();
        var waiting = Task.Run(() => new TaskWaiter(source).Wait(pending, Finished, TimeSpan.FromMinutes(5), stop.Token));
        await Task.Delay(200);
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
