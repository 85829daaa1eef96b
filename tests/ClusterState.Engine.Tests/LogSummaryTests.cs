using System;
using System.IO;
using System.Linq;
using ClusterState.Storage;
using Xunit;
using static ClusterState.Engine.Tests.CommitLogTests;

namespace ClusterState.Engine.Tests;

/// <summary>
/// The log summary (docs/FORMAT.md "The log summary"): a fresh open reads the summary and the
/// records after it, and must hold exactly the model's rows, as a read of the whole log does; a
/// summary that is missing, damaged, of another base or pointing at the wrong place in the log is
/// passed over for the log; compaction drops it.
/// </summary>
public class LogSummaryTests
{
    private static readonly CommitOptions NoBackground = new() { Durable = false, SummarizeLogRecords = 0, CompactLogRecords = 0, CompactLogBytes = 0 };

    /// <summary>A state and its model after random commits, summarised every <paramref name="every"/> commits; every generation opened afresh.</summary>
    private static (TempDirectory Dir, string Path, Model Model) Summarised(int seed, int commits, int every)
    {
        var (dir, path, model) = CommitRandomly(seed, 0, checkEach: false);
        var random = new Random(seed);
        int serial = 1000;
        for (int c = 1; c <= commits; c++)
        {
            var now = Start.AddSeconds(c);
            var change = RandomChange(random, model, ref serial, now);
            StateStore.Commit(path, change, new CommitOptions { Now = now, Durable = false, SummarizeLogRecords = 0, CompactLogRecords = 0, CompactLogBytes = 0 });
            model.Apply(change, now);
            if (c % every == 0) Assert.True(LogSummary.Write(path, TimeSpan.FromSeconds(10)));
            ClusterSnapshot.ClearCache();
            using var fresh = ClusterSnapshot.Open(path);
            AssertSame(model.Rows(), Rows(fresh), $"commit {c}, opened afresh");
            Assert.Null(fresh.LogDamage);
            // The summary served: one record for the commits up to it, then the ones after it.
            int expected = c < every ? c : 1 + c % every;
            Assert.Equal(expected, fresh.Data.AppliedRecords);
        }
        return (dir, path, model);
    }

    [Theory]
    [InlineData(21, 5)]
    [InlineData(22, 1)]
    [InlineData(23, 13)]
    public void EveryGeneration_ReadsAsTheModelSays_FromTheSummaryAndTheRecordsAfterIt(int seed, int every)
    {
        var (dir, _, _) = Summarised(seed, commits: 40, every);
        dir.Dispose();
    }

    [Fact]
    public void ARecordOfManyRowsInBaseOrder_AndSummariesOfThem_ReadAsTheModelSays()
    {
        // A first record (and every summary) whose replacing rows come in base order is taken
        // whole as the merge to go on from (EntityMerge): the same rows as applied one by one,
        // with the records after it replacing, removing and adding again on top of it.
        static CommitOptions Quiet(DateTime now) => new() { Now = now, Durable = false, SummarizeLogRecords = 0, CompactLogRecords = 0, CompactLogBytes = 0 };
        using var dir = new TempDirectory();
        string path = dir.Combine("s");
        StateStore.Create(path, TestStates.Sample(nodes: 6, tasks: 300, content: 120, seed: 25).ToStateContent());
        var model = Model.Of(path);
        var first = new ChangeSet { Force = true };
        first.UpdateTasks.AddRange(model.Tasks.Where((_, i) => i % 2 == 0).Take(150).Select(t => new TaskUpdate { Id = t.Id, MemoryMB = 512 }));
        first.RemoveTasks.AddRange(model.Tasks.Where((_, i) => i % 2 == 1).Take(20).Select(t => t.Id));
        first.RemoveContent.AddRange(model.Content.Take(70).Select(c => c.Cid));
        first.AddTasks.AddRange(Enumerable.Range(0, 10).Select(i => new ClusterTask { Id = $"bulk-{i}", Type = "compute", Status = "pending" }));
        StateStore.Commit(path, first, Quiet(Start));
        model.Apply(first, Start);
        var random = new Random(25);
        int serial = 0;
        for (int c = 1; c <= 30; c++)
        {
            ClusterSnapshot.ClearCache();
            using (var fresh = ClusterSnapshot.Open(path))
            {
                AssertSame(model.Rows(), Rows(fresh), $"after {c} commits, opened afresh");
                Assert.Null(fresh.LogDamage);
            }
            var now = Start.AddSeconds(c);
            var change = RandomChange(random, model, ref serial, now);
            StateStore.Commit(path, change, Quiet(now));
            model.Apply(change, now);
            if (c % 7 == 0) Assert.True(LogSummary.Write(path, TimeSpan.FromSeconds(10)));
        }
        ClusterSnapshot.ClearCache();
        using var last = ClusterSnapshot.Open(path);
        AssertSame(model.Rows(), Rows(last), "the last generation, opened afresh");
    }

    [Fact]
    public void AReplacedSummary_IsDeleted_AndAnOlderOneIsNotPublishedOverANewer()
    {
        var (dir, path, _) = Summarised(seed: 24, commits: 12, every: 4);
        using var _ = dir;
        var metadata = StateMetadata.Read(path);
        Assert.Equal(LogSummary.FileName(1, 13), metadata.LogSummary);
        Assert.Single(Directory.GetFiles(path, "summary_*"));
        // Nothing committed since: a second summary of the same generation is not written.
        Assert.False(LogSummary.Write(path, TimeSpan.FromSeconds(10)));
        Assert.Single(Directory.GetFiles(path, "summary_*"));
    }

    [Fact]
    public void ASummaryAnotherProcessIsWriting_IsLeftToIt()
    {
        var (dir, path, _) = Summarised(seed: 25, commits: 6, every: 100);
        using var _ = dir;
        Assert.Null(StateMetadata.Read(path).LogSummary);
        // Held as another writer of a summary holds it (flock on its own open file).
        using (var other = WriterLock.TryAcquire(path, LogSummary.LockFileName))
        {
            Assert.NotNull(other);
            Assert.False(LogSummary.Write(path, TimeSpan.FromSeconds(10)));
            Assert.Null(StateMetadata.Read(path).LogSummary);
            Assert.Empty(Directory.GetFiles(path, "summary_*"));
        }
        Assert.True(LogSummary.Write(path, TimeSpan.FromSeconds(10)));
        Assert.Equal(LogSummary.FileName(1, 7), StateMetadata.Read(path).LogSummary);
    }

    public static TheoryData<string> Spoilers => new() { "missing", "flipped byte", "cut short", "earlier offset", "offset mid-record", "another base", "a link" };

    [Theory]
    [MemberData(nameof(Spoilers))]
    public void ASummaryThatCannotServe_IsPassedOverForTheWholeLog(string spoiler)
    {
        var (dir, path, model) = Summarised(seed: 25, commits: 30, every: 10);
        using var _ = dir;
        var metadata = StateMetadata.Read(path);
        string summaryPath = Path.Combine(path, metadata.LogSummary!);
        var next = metadata.Clone();
        switch (spoiler)
        {
            case "missing":
                File.Delete(summaryPath);
                break;
            case "flipped byte":
                var bytes = File.ReadAllBytes(summaryPath);
                bytes[bytes.Length / 2] ^= 0x40;
                File.WriteAllBytes(summaryPath, bytes);
                break;
            case "cut short":
                File.WriteAllBytes(summaryPath, File.ReadAllBytes(summaryPath)[..^9]);
                break;
            case "earlier offset":
            case "offset mid-record":
                // The summary of generation 31 said to end where generation 26 or the middle of a record ends.
                next.LogSummaryOffset = EndOf(path, 26) - (spoiler == "earlier offset" ? 0 : 100);
                StateStore.Publish(path, next, durable: false);
                break;
            case "another base":
                string other = LogSummary.FileName(0, 31);
                File.Move(summaryPath, Path.Combine(path, other));
                next.LogSummary = other;
                next.LogSummaryOffset = metadata.LogSummaryOffset;
                StateStore.Publish(path, next, durable: false);
                break;
            case "a link":
                string target = Path.Combine(dir.Combine("elsewhere.arrows"));
                File.Move(summaryPath, target);
                File.CreateSymbolicLink(summaryPath, target);
                break;
        }
        ClusterSnapshot.ClearCache();
        using var fresh = ClusterSnapshot.Open(path);
        AssertSame(model.Rows(), Rows(fresh), $"a summary {spoiler}");
        Assert.Null(fresh.LogDamage);
        Assert.Equal(30, fresh.Data.AppliedRecords); // every record read from the log
    }

    /// <summary>The log offset at which the record of <paramref name="generation"/> ends (the base is generation 1).</summary>
    private static long EndOf(string path, long generation)
    {
        var record = Records(File.ReadAllBytes(Path.Combine(path, StateMetadata.Read(path).Log!)))[(int)generation - 2];
        return record.Start + record.Length;
    }

    [Fact]
    public void Commits_SummariseTheLogInTheBackground_AndCompactionDropsTheSummary()
    {
        var (dir, path, model) = CommitRandomly(seed: 26, commits: 0, checkEach: false);
        using var _ = dir;
        var random = new Random(26);
        int serial = 1000;
        for (int c = 1; c <= 25; c++)
        {
            var now = Start.AddSeconds(c);
            var change = RandomChange(random, model, ref serial, now);
            StateStore.Commit(path, change, new CommitOptions { Now = now, Durable = false, SummarizeLogRecords = 8, CompactLogRecords = 0, CompactLogBytes = 0 });
            model.Apply(change, now);
            StateStore.WaitForCompaction();
        }
        var metadata = StateMetadata.Read(path);
        Assert.NotNull(metadata.LogSummary);
        Assert.InRange(LogSummary.Parse(metadata.LogSummary)!.Value.Generation, 18, 26);
        ClusterSnapshot.ClearCache();
        using (var fresh = ClusterSnapshot.Open(path))
        {
            AssertSame(model.Rows(), Rows(fresh), "summarised in the background");
            Assert.True(fresh.Data.AppliedRecords < 10);
        }

        Assert.NotNull(StateStore.Compact(path));
        Assert.Null(StateMetadata.Read(path).LogSummary);
        StateStore.WaitForCleanup();
        ClusterSnapshot.ClearCache();
        using var compacted = ClusterSnapshot.Open(path);
        AssertSame(model.Rows(), Rows(compacted), "compacted");
    }
}
