using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using ClusterState.Storage;
using Xunit;
using static ClusterState.Engine.Tests.CommitLogTests;

namespace ClusterState.Engine.Tests;

/// <summary>
/// Group commit (CommitOptions.GroupCommit): the log record is flushed after the writer lock is
/// released and the metadata switched without a flush, so the log is what makes a commit
/// durable: good records after the published length — a writer that crashed between its append
/// and its switch, or a switch a power loss undid — are not read by readers and are adopted by
/// the next commit, which follows them.
/// </summary>
public class GroupCommitTests
{
    private static void CopyState(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ARecordAfterThePublishedLength_IsNotRead_AndTheNextCommitAdoptsIt(bool groupCommit)
    {
        var (dir, path, model) = CommitRandomly(seed: 31, commits: 6, checkEach: false);
        using var _ = dir;
        var options = new CommitOptions { Durable = true, GroupCommit = groupCommit, SummarizeLogRecords = 0 };
        // A writer that appended generation 8's record and crashed before its metadata switch:
        // the same commit made on a copy, its record appended to this log, the metadata left.
        string copy = dir.Combine("copy");
        CopyState(path, copy);
        var lost = new ChangeSet { AddContent = { new ClusterContent { Cid = "bafy-crashed", Size = 7, CreatedAt = Start } } };
        StateStore.Commit(copy, lost, options);
        var published = StateMetadata.Read(path);
        string log = Path.Combine(path, published.Log!);
        var record = File.ReadAllBytes(Path.Combine(copy, published.Log!))[(int)published.LogLength..];
        using (var stream = new FileStream(log, FileMode.Append)) stream.Write(record);
        model.Apply(lost, Start);

        ClusterSnapshot.ClearCache();
        using (var reader = ClusterSnapshot.Open(path))
        {
            Assert.Equal(7, reader.Generation); // readers stop at the published length
            Assert.Empty(reader.FindContent(new ContentQuery { Cid = new[] { "bafy-crashed" } }).Items);
        }

        var next = new ChangeSet { AddContent = { new ClusterContent { Cid = "bafy-next", Size = 8, CreatedAt = Start } } };
        var result = StateStore.Commit(path, next, options);
        model.Apply(next, Start);
        Assert.Equal(9, result.Generation);
        Assert.Equal(8, result.PreviousGeneration);
        ClusterSnapshot.ClearCache();
        using var after = ClusterSnapshot.Open(path);
        Assert.Equal(9, after.Generation);
        Assert.Null(after.LogDamage);
        AssertSame(model.Rows(), Rows(after), "after the adopting commit");
    }

    [Fact]
    public void ATornRecordAfterThePublishedLength_IsCutByTheNextCommit()
    {
        var (dir, path, model) = CommitRandomly(seed: 32, commits: 4, checkEach: false);
        using var _ = dir;
        var published = StateMetadata.Read(path);
        using (var stream = new FileStream(Path.Combine(path, published.Log!), FileMode.Append)) stream.Write(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x10, 0, 0, 0, 1, 2, 3 });
        var next = new ChangeSet { AddContent = { new ClusterContent { Cid = "bafy-after-torn", Size = 8, CreatedAt = Start } } };
        Assert.Equal(6, StateStore.Commit(path, next, new CommitOptions()).Generation);
        model.Apply(next, Start);
        ClusterSnapshot.ClearCache();
        using var after = ClusterSnapshot.Open(path);
        Assert.Null(after.LogDamage);
        AssertSame(model.Rows(), Rows(after), "after the torn tail");
        Assert.Equal(new FileInfo(Path.Combine(path, published.Log!)).Length, StateMetadata.Read(path).LogLength);
    }

    [Fact]
    public async Task WritersOnThreads_ShareFlushes_AndLoseNothing()
    {
        var (dir, path, _) = CommitRandomly(seed: 33, commits: 0, checkEach: false);
        using var _ = dir;
        const int writers = 4, each = 25;
        var results = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(() =>
            Enumerable.Range(0, each).Select(i => StateStore.Commit(path,
                new ChangeSet { AddContent = { new ClusterContent { Cid = $"gc-{w}-{i}", Size = i, CreatedAt = Start } } },
                new CommitOptions { SummarizeLogRecords = 0 })).ToList())));
        var generations = results.SelectMany(r => r.Select(c => c.Generation)).OrderBy(g => g).ToList();
        Assert.Equal(Enumerable.Range(2, writers * each).Select(g => (long)g), generations);
        // Every record but the log's first (which the metadata must name durably) is flushed after the lock.
        Assert.Equal(writers * each - 1, results.SelectMany(r => r).Count(c => c.PhaseMilliseconds.ContainsKey("sync")));
        ClusterSnapshot.ClearCache();
        using var s = ClusterSnapshot.Open(path);
        Assert.Equal(1 + writers * each, s.Generation);
        Assert.Equal(writers * each, s.FindContent(new ContentQuery()).Items.Count(c => c.Cid.StartsWith("gc-", StringComparison.Ordinal)));
    }
}
