using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace ClusterState.Engine.Tests;

/// <summary>The change feed read from the commit log, how it travels to remote watchers, and the watcher that waits on commits.</summary>
public class ChangeFeedTests
{
    private static string NewState(TempDirectory dir)
    {
        string path = dir.Combine("s");
        StateStore.Create(path, TestStates.Sample(nodes: 5, tasks: 20, content: 5).ToStateContent());
        return path;
    }

    private static ChangeSet Add(params ClusterTask[] tasks)
    {
        var change = new ChangeSet();
        change.AddTasks.AddRange(tasks);
        return change;
    }

    [Fact]
    public void EveryCommit_IsReportedWithItsIdsAndTheObjectsItWrote()
    {
        using var dir = new TempDirectory();
        string path = NewState(dir);
        long start = StateMetadata.Read(path).Generation;
        var existing = StateSnapshotTasks(path).First();
        StateStore.Commit(path, Add(new ClusterTask { Id = "feed-1", Type = "inference", Status = "pending", Resources = new TaskResources { MemoryMB = 512 } }));
        StateStore.Commit(path, new ChangeSet { UpdateTasks = { new TaskUpdate { Id = "feed-1", MemoryMB = 777 }, new TaskUpdate { Id = existing.Id, Status = "failed" } }, Force = true });
        StateStore.Commit(path, new ChangeSet { RemoveTasks = { "feed-1" }, AddContent = { new ClusterContent { Cid = "bafy-feed", Size = 42 } } });
        StateStore.Commit(path, Add(new ClusterTask { Id = "feed-1", Type = "training", Status = "pending" }));
        var metadata = StateMetadata.Read(path);
        using var feed = new ChangeFeed(path);
        var all = feed.Between(start, metadata.Generation).ToList();
        Assert.Equal(Enumerable.Range(1, 4).Select(i => start + i), all.Select(c => c.Generation));
        Assert.All(all, c => Assert.True(c.Known && !c.Replaced));

        // Added: the whole new task, as committed.
        Assert.Equal(new[] { "feed-1" }, all[0].Tasks.AddedIds);
        var added = Assert.Single(all[0].ChangedTasks);
        Assert.Equal(("feed-1", "inference", "pending", (int?)512), (added.Id, added.Type, added.Status, added.MemoryMB));
        // Updated: an id the log added before is updated, not added; a base row too; both complete.
        Assert.Equal(2, all[1].Tasks.Updated);
        Assert.Equal(0, all[1].Tasks.Added);
        Assert.Equal(new[] { "feed-1", existing.Id }.OrderBy(x => x, StringComparer.Ordinal), all[1].Tasks.UpdatedIds.OrderBy(x => x, StringComparer.Ordinal));
        Assert.Equal(777, all[1].ChangedTasks.Single(t => t.Id == "feed-1").MemoryMB);
        Assert.Equal("inference", all[1].ChangedTasks.Single(t => t.Id == "feed-1").Type);
        var failed = all[1].ChangedTasks.Single(t => t.Id == existing.Id);
        Assert.Equal("failed", failed.Status);
        Assert.Equal(existing.Type, failed.Type);
        // Removed ids, and objects of another entity in the same commit.
        Assert.Equal(new[] { "feed-1" }, all[2].Tasks.RemovedIds);
        Assert.Empty(all[2].ChangedTasks);
        Assert.Equal(42, Assert.Single(all[2].ChangedContent).Size);
        Assert.Equal(new[] { "bafy-feed" }, all[2].Content.AddedIds);
        // Removed then added again: added.
        Assert.Equal(new[] { "feed-1" }, all[3].Tasks.AddedIds);
        Assert.Equal("training", Assert.Single(all[3].ChangedTasks).Type);
        Assert.Equal(metadata.UpdatedAt, all[^1].CommittedAt);
        // The objects equal what a read of the state returns.
        using var snapshot = ClusterSnapshot.Open(path);
        var now = snapshot.FindTasks(new TaskQuery { Id = new[] { existing.Id } }).Items.Single();
        Assert.Equal(now.Status, failed.Status);
        Assert.Equal(now.UpdatedAt, failed.UpdatedAt);
    }

    private static List<ClusterTask> StateSnapshotTasks(string path)
    {
        using var snapshot = ClusterSnapshot.Open(path);
        return snapshot.FindTasks(new TaskQuery()).Items.ToList();
    }

    [Fact]
    public void ALogWithASummary_StillReportsEveryCommitOfItsOwn()
    {
        using var dir = new TempDirectory();
        string path = NewState(dir);
        long start = StateMetadata.Read(path).Generation;
        var options = new CommitOptions { SummarizeLogRecords = 4 };
        using var feed = new ChangeFeed(path);
        for (int i = 0; i < 10; i++)
        {
            StateStore.Commit(path, Add(new ClusterTask { Id = "sum-" + i, Status = "pending", Resources = new TaskResources { MemoryMB = i } }), options);
            StateStore.WaitForCompaction(); // the summaries are written in the background
            if (i == 5) Assert.Equal(start + 6, feed.Between(start + 5, start + 6).Single().Generation); // a feed that read the log before goes on from there
        }
        Assert.NotNull(StateMetadata.Read(path).LogSummary);
        ClusterSnapshot.ClearCache();
        foreach (var reader in new[] { feed, new ChangeFeed(path) })
        {
            var all = reader.Between(start, start + 10).ToList();
            Assert.All(all, c => Assert.True(c.Known));
            Assert.Equal(Enumerable.Range(0, 10).Select(i => "sum-" + i), all.Select(c => Assert.Single(c.ChangedTasks).Id));
            Assert.Equal(Enumerable.Range(0, 10).Select(i => (int?)i), all.Select(c => c.ChangedTasks[0].MemoryMB));
        }
    }

    [Fact]
    public void LargeChanges_KeepEveryIdAndObject()
    {
        using var dir = new TempDirectory();
        string path = NewState(dir);
        var result = StateStore.Commit(path, Add(Enumerable.Range(0, 250).Select(i => new ClusterTask { Id = "bulk-" + i, Status = "pending", Resources = new TaskResources { MemoryMB = i } }).ToArray()));
        using var feed = new ChangeFeed(path);
        var entry = feed.Between(result.PreviousGeneration, result.Generation).Single();
        Assert.Equal(250, entry.Tasks.Added);
        Assert.Equal(Enumerable.Range(0, 250).Select(i => "bulk-" + i), entry.Tasks.AddedIds);
        Assert.Equal(Enumerable.Range(0, 250).Select(i => (int?)i), entry.ChangedTasks.Select(t => t.MemoryMB));
    }

    [Fact]
    public void AFeedThatHeldTheLog_ReportsTheCommitsACompactionFolded_AndOneThatDidNotSaysUnknown()
    {
        using var dir = new TempDirectory();
        string path = NewState(dir);
        long start = StateMetadata.Read(path).Generation;
        using var watching = new ChangeFeed(path);
        StateStore.Commit(path, Add(new ClusterTask { Id = "c-0", Status = "pending" })); // starts the log
        watching.Observe();
        for (int i = 1; i < 6; i++) StateStore.Commit(path, Add(new ClusterTask { Id = "c-" + i, Status = "pending" }));
        Assert.Equal(start + 6, StateStore.Compact(path));
        StateStore.WaitForCleanup();
        // Cleanup keeps the log a base superseded until the next base; here it went anyway
        // (deleted by hand, as a later compaction or another cleaner would).
        Assert.True(File.Exists(Path.Combine(path, $"commits_{start}.arrows")));
        File.Delete(Path.Combine(path, $"commits_{start}.arrows"));
        StateStore.Commit(path, Add(new ClusterTask { Id = "c-6", Status = "pending" }));
        long end = StateMetadata.Read(path).Generation;

        var seen = watching.Between(start, end).ToList();
        Assert.Equal(Enumerable.Range(1, 7).Select(i => start + i), seen.Select(c => c.Generation));
        Assert.All(seen, c => Assert.True(c.Known));
        Assert.Equal(Enumerable.Range(0, 7).Select(i => "c-" + i), seen.Select(c => Assert.Single(c.ChangedTasks).Id));

        using var late = new ChangeFeed(path);
        var report = late.Between(start, end).ToList();
        Assert.Equal(7, report.Count);
        Assert.All(report.Take(6), c => { Assert.False(c.Known); Assert.Empty(c.ChangedTasks); });
        Assert.True(report[6].Known);
        Assert.Equal("c-6", Assert.Single(report[6].ChangedTasks).Id);
    }

    [Fact]
    public void ALogStillInTheDirectory_IsReadAfterACompaction()
    {
        using var dir = new TempDirectory();
        string path = NewState(dir);
        long start = StateMetadata.Read(path).Generation;
        StateStore.Commit(path, Add(new ClusterTask { Id = "k-0", Status = "pending" }));
        StateStore.Commit(path, Add(new ClusterTask { Id = "k-1", Status = "pending" }));
        StateStore.Compact(path);
        StateStore.WaitForCleanup();
        StateStore.Commit(path, new ChangeSet { UpdateTasks = { new TaskUpdate { Id = "k-0", Status = "running" } }, Force = true });
        using var feed = new ChangeFeed(path);
        var report = feed.Between(start, start + 3).ToList();
        Assert.All(report, c => Assert.True(c.Known));
        Assert.Equal(new[] { "k-0" }, report[0].Tasks.AddedIds);
        Assert.Equal(new[] { "k-1" }, report[1].Tasks.AddedIds);
        Assert.Equal(new[] { "k-0" }, report[2].Tasks.UpdatedIds);
        Assert.Equal("running", Assert.Single(report[2].ChangedTasks).Status);
    }

    [Fact]
    public void Cleanup_KeepsTheLogTheCurrentBaseSuperseded_UntilTheNextBase()
    {
        using var dir = new TempDirectory();
        string path = NewState(dir);
        long start = StateMetadata.Read(path).Generation;
        for (int i = 0; i < 5; i++) StateStore.Commit(path, Add(new ClusterTask { Id = "s-" + i, Status = "pending" }));
        StateStore.Compact(path);
        StateStore.WaitForCleanup();
        Assert.True(File.Exists(Path.Combine(path, $"commits_{start}.arrows")));
        using (var fresh = new ChangeFeed(path))
            Assert.All(fresh.Between(start, start + 5), c => Assert.True(c.Known));
        for (int i = 5; i < 10; i++) StateStore.Commit(path, Add(new ClusterTask { Id = "s-" + i, Status = "pending" }));
        StateStore.Compact(path);
        StateStore.WaitForCleanup();
        Assert.False(File.Exists(Path.Combine(path, $"commits_{start}.arrows")));
        Assert.True(File.Exists(Path.Combine(path, $"commits_{start + 5}.arrows")));
    }

    [Fact]
    public void AnOldLogIsReadOnlyUpToTheGenerationItPublished_NeverACrashedCommitsLeftover()
    {
        using var dir = new TempDirectory();
        string path = NewState(dir);
        long start = StateMetadata.Read(path).Generation;
        // A valid record of generation start + 4 that was never published here: the same commit
        // sequence's fourth record from a twin state, where it added a task "lie".
        string twin = dir.Combine("twin");
        StateStore.Create(twin, TestStates.Sample(nodes: 5, tasks: 20, content: 5).ToStateContent());
        for (int i = 1; i <= 3; i++) StateStore.Commit(twin, Add(new ClusterTask { Id = "t-" + i, Status = "pending" }));
        string twinLog = Path.Combine(twin, StateMetadata.Read(twin).Log!);
        long before = new FileInfo(twinLog).Length;
        StateStore.Commit(twin, Add(new ClusterTask { Id = "lie", Status = "pending" }));
        var leftover = File.ReadAllBytes(twinLog)[(int)before..];

        using var held = new ChangeFeed(path);
        for (int i = 1; i <= 3; i++) StateStore.Commit(path, Add(new ClusterTask { Id = "x-" + i, Status = "pending" }));
        held.Observe();
        string oldLog = Path.Combine(path, StateMetadata.Read(path).Log!);
        StateStore.Compact(path);
        held.Observe(); // sees the metadata name the old log as previous, ending at start + 3
        using (var stream = new FileStream(oldLog, FileMode.Append)) stream.Write(leftover); // as a commit that crashed before its publish
        StateStore.Commit(path, Add(new ClusterTask { Id = "x-4", Status = "pending" }));
        string secondLog = Path.Combine(path, StateMetadata.Read(path).Log!);
        StateStore.Compact(path);
        StateStore.WaitForCleanup();
        File.Delete(secondLog); // the only true record of start + 4 is gone
        StateStore.Commit(path, Add(new ClusterTask { Id = "x-5", Status = "pending" }));

        var report = held.Between(start, start + 5).ToList();
        Assert.Equal(new[] { "x-1", "x-2", "x-3" }, report.Take(3).Select(c => Assert.Single(c.ChangedTasks).Id));
        Assert.False(report[3].Known);
        Assert.Empty(report[3].ChangedTasks);
        Assert.Equal("x-5", Assert.Single(report[4].ChangedTasks).Id);
        Assert.DoesNotContain(report, c => c.Tasks.AddedIds.Contains("lie"));
        // A log the metadata no longer names and this feed never held has no known end: not read.
        using var fresh = new ChangeFeed(path);
        Assert.All(fresh.Between(start, start + 4), c => Assert.False(c.Known));
    }

    [Fact]
    public void AReplacedState_IsReportedAsReplaced_WithNoObjects()
    {
        using var dir = new TempDirectory();
        string path = NewState(dir);
        StateStore.Commit(path, Add(new ClusterTask { Id = "r-0", Status = "pending" }));
        long before = StateMetadata.Read(path).Generation;
        var replaced = StateStore.Create(path, TestStates.Sample(nodes: 3, tasks: 5, content: 2, seed: 9).ToStateContent(), new CreateStateOptions { Force = true });
        Assert.Equal(before + 1, replaced.Generation);
        StateStore.Commit(path, Add(new ClusterTask { Id = "r-1", Status = "pending" }));
        using var feed = new ChangeFeed(path);
        var report = feed.Between(before - 1, before + 2).ToList();
        Assert.Equal(new[] { before, before + 1, before + 2 }, report.Select(c => c.Generation));
        Assert.Equal("r-0", Assert.Single(report[0].ChangedTasks).Id);
        Assert.True(report[1].Replaced);
        Assert.Empty(report[1].ChangedTasks);
        Assert.Equal("r-1", Assert.Single(report[2].ChangedTasks).Id);

        // A migration is a replacement too.
        string old = TestStates.Create(dir, TestStates.Sample(nodes: 3, tasks: 5, content: 2), "v1", schemaVersion: 1);
        StateStore.Commit(old, Add(new ClusterTask { Id = "m-0", Status = "pending" }));
        long g = StateMetadata.Read(old).Generation;
        Assert.NotNull(StateStore.Migrate(old));
        using var migrated = new ChangeFeed(old);
        var m = migrated.Between(g - 1, g + 1).ToList();
        Assert.Equal("m-0", Assert.Single(m[0].ChangedTasks).Id);
        Assert.True(m[1].Replaced);
    }

    [Fact]
    public void ChangesOfAnySize_TravelInBoundedPartsAndJoinBack()
    {
        using var dir = new TempDirectory();
        string path = NewState(dir);
        long start = StateMetadata.Read(path).Generation;
        StateStore.Commit(path, Add(Enumerable.Range(0, 300).Select(i => new ClusterTask { Id = "part-" + i, Status = "pending", Resources = new TaskResources { MemoryMB = i } }).ToArray()));
        StateStore.Commit(path, new ChangeSet { RemoveTasks = { "part-0", "part-1" } });
        StateStore.Commit(path, Add(new ClusterTask { Id = "part-x", Status = "pending" }));
        using var feed = new ChangeFeed(path);
        var changes = feed.Between(start, start + 3).ToList();
        var parts = ChangeParts.Split(changes, chunkBytes: 4_096).ToList();
        Assert.True(parts.Count > 10, $"{parts.Count} parts");
        // Every part is within the chunk (with the change's fixed fields), as JSON.
        Assert.All(parts, p => Assert.True(RemoteWire.ToJson(p).Length < 4_096 + 2_048, $"{RemoteWire.ToJson(p).Length} bytes"));
        var joined = ChangeParts.Join(parts.Select(p => RemoteWire.FromJson<RemoteWire.ChangePart>(System.Text.Encoding.UTF8.GetBytes(RemoteWire.ToJson(p)))!));
        Assert.Equal(changes.Select(c => c.Generation), joined.Select(c => c.Generation));
        Assert.Equal(changes[0].Tasks.AddedIds, joined[0].Tasks.AddedIds);
        Assert.Equal(300, joined[0].Tasks.Added);
        Assert.Equal(changes[0].ChangedTasks.Select(t => (t.Id, t.MemoryMB, t.CreatedAt)), joined[0].ChangedTasks.Select(t => (t.Id, t.MemoryMB, t.CreatedAt)));
        Assert.Equal(new[] { "part-0", "part-1" }, joined[1].Tasks.RemovedIds);
        Assert.Equal("part-x", Assert.Single(joined[2].ChangedTasks).Id);

        // The answer stops at a whole generation once the byte budget is spent.
        var bounded = ChangeParts.Join(ChangeParts.Split(changes, chunkBytes: 4_096, maxBytes: 1));
        Assert.Equal(new[] { start + 1 }, bounded.Select(c => c.Generation));
        // A server's malformed answer is refused.
        var cut = parts.TakeWhile(p => p.More).ToList();
        Assert.Equal(ErrorIds.ServerFailed, Assert.Throws<ClusterStateException>(() => ChangeParts.Join(cut)).ErrorId);
        var inflated = new RemoteWire.ChangePart { Change = new ClusterStateChange { Generation = 1, ChangedTasks = new[] { new ClusterTask { Id = "x" } } } };
        Assert.Equal(ErrorIds.ServerFailed, Assert.Throws<ClusterStateException>(() => ChangeParts.Join(new[] { inflated })).ErrorId);
        var backwards = new[] { parts[^1], parts[^1] };
        Assert.Equal(ErrorIds.ServerFailed, Assert.Throws<ClusterStateException>(() => ChangeParts.Join(backwards)).ErrorId);
        // An earlier server's change (no objects, nulls) still reads.
        var old = RemoteWire.FromJson<ClusterStateChange>("{\"Generation\": 7, \"Tasks\": {\"Updated\": 300, \"UpdatedIds\": [\"a\"]}, \"ChangedTasks\": null}"u8)!;
        var read = Assert.Single(ChangeParts.Join(new[] { new RemoteWire.ChangePart { Change = old } }));
        Assert.Empty(read.ChangedTasks);
        Assert.Equal(300, read.Tasks.Updated);
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
