using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace ClusterState.Engine.Tests;

/// <summary>The change log in the metadata and the watcher that waits on it.</summary>
public class ChangeLogTests
{
    private static string NewState(TempDirectory dir)
    {
        string path = dir.Combine("s");
        StateStore.Create(path, TestStates.Sample(nodes: 5, tasks: 20, content: 5).ToStateContent());
        return path;
    }

    [Fact]
    public void EveryCommit_IsLoggedWithItsIds_AndTheLogKeepsTheNewest()
    {
        using var dir = new TempDirectory();
        string path = NewState(dir);
        long start = StateMetadata.Read(path).Generation;
        for (int i = 0; i < ChangeLog.Keep + 5; i++)
        {
            var change = new ChangeSet();
            change.AddContent.Add(new ClusterContent { Cid = "bafy-" + i, Size = i });
            if (i > 0) change.RemoveContent.Add("bafy-" + (i - 1));
            StateStore.Commit(path, change);
        }
        var metadata = StateMetadata.Read(path);
        var all = ChangeLog.Between(path, start, metadata.Generation);
        Assert.Equal(ChangeLog.Keep + 5, all.Count);
        // The oldest five left the log: reported, but not known in detail.
        Assert.All(all.Take(5), c => Assert.False(c.Known));
        var last = all[^1];
        Assert.True(last.Known);
        Assert.Equal(metadata.Generation, last.Generation);
        Assert.Equal(new[] { "bafy-" + (ChangeLog.Keep + 4) }, last.Content.AddedIds);
        Assert.Equal(new[] { "bafy-" + (ChangeLog.Keep + 3) }, last.Content.RemovedIds);
        Assert.Equal(0, last.Tasks.Added + last.Tasks.Updated + last.Tasks.Removed);
        Assert.Equal(metadata.UpdatedAt, last.CommittedAt);
    }

    [Fact]
    public void LargeChanges_KeepCountsAndTheFirstIds()
    {
        using var dir = new TempDirectory();
        string path = NewState(dir);
        var change = new ChangeSet();
        change.AddTasks.AddRange(Enumerable.Range(0, 250).Select(i => new ClusterTask { Id = "bulk-" + i, Status = "pending" }));
        var result = StateStore.Commit(path, change);
        var entry = ChangeLog.Between(path, result.PreviousGeneration, result.Generation).Single();
        Assert.Equal(250, entry.Tasks.Added);
        Assert.Equal(ChangeLog.MaxIds, entry.Tasks.AddedIds.Length);
        Assert.Equal("bulk-0", entry.Tasks.AddedIds[0]);
    }

    [Fact]
    public async Task Watcher_WakesOnACommit_AndTimesOutWithout()
    {
        using var dir = new TempDirectory();
        string path = NewState(dir);
        using var watcher = new StateWatcher(path, TimeSpan.FromSeconds(5));
        long generation = watcher.Current.Generation;
        Assert.Null(watcher.WaitForCommit(generation, TimeSpan.FromMilliseconds(200), CancellationToken.None));

        var commit = Task.Run(() =>
        {
            Thread.Sleep(300);
            var change = new ChangeSet();
            change.AddContent.Add(new ClusterContent { Cid = "bafy-w", Size = 1 });
            StateStore.Commit(path, change);
        });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var seen = watcher.WaitForCommit(generation, TimeSpan.FromSeconds(30), CancellationToken.None);
        await commit;
        Assert.NotNull(seen);
        Assert.Equal(generation + 1, seen!.Generation);
        // The file-system event, not the five-second poll, woke the wait.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"woke after {clock.Elapsed}");

        using var cancel = new CancellationTokenSource(100);
        Assert.Throws<OperationCanceledException>(() => watcher.WaitForCommit(seen.Generation, TimeSpan.FromSeconds(30), cancel.Token));
    }
}
