using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using ClusterState.Storage;
using Xunit;
using static ClusterState.Engine.Tests.CommitLogTests;

namespace ClusterState.Engine.Tests;

/// <summary>
/// Group commit (CommitOptions.GroupCommit): the log record is flushed and published after the
/// writer lock is released, by its writer or one queued behind it (LogPublisher), and the
/// metadata switched without a flush, so the log is what makes a commit durable: good records after the published length — a writer that crashed between its append
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

    /// <summary>
    /// Two records made on a copy of the state (generations g+1 and g+2, committed at
    /// <paramref name="at"/> and a second later) appended to its log as two writers queued on the
    /// lock leave them before either has published: what each would hand to LogPublisher.
    /// </summary>
    private static (AppendedRecord First, AppendedRecord Second) AppendTwo(TempDirectory dir, string path, DateTime at)
    {
        string copy = dir.Combine("copy-two");
        CopyState(path, copy);
        var published = StateMetadata.Read(path);
        var options = new CommitOptions { SummarizeLogRecords = 0, Now = at };
        var first = StateStore.Commit(copy, new ChangeSet { AddContent = { new ClusterContent { Cid = "bafy-first", Size = 1, CreatedAt = Start } } }, options);
        long middle = StateMetadata.Read(copy).LogLength;
        options.Now = at.AddSeconds(1);
        var second = StateStore.Commit(copy, new ChangeSet { AddContent = { new ClusterContent { Cid = "bafy-second", Size = 2, CreatedAt = Start } } }, options);
        var copied = File.ReadAllBytes(Path.Combine(copy, published.Log!));
        string log = Path.Combine(path, published.Log!);
        using (var stream = new FileStream(log, FileMode.Append)) stream.Write(copied.AsSpan((int)published.LogLength));
        var header = CommitLog.ReadHeader(log);
        return (new AppendedRecord(Path.GetFullPath(path), published.Log!, published.LogLength, copied[(int)published.LogLength..(int)middle], first.Generation, first.CommittedAt, true, header),
            new AppendedRecord(Path.GetFullPath(path), published.Log!, middle, copied[(int)middle..], second.Generation, second.CommittedAt, true, header));
    }

    [Fact]
    public void APublisher_PublishesTheRecordsQueuedBehindIt_WhoThenFindTheirsPublished()
    {
        var (dir, path, _) = CommitRandomly(seed: 34, commits: 3, checkEach: false);
        using var _ = dir;
        var at = Start.AddDays(3);
        var (first, second) = AppendTwo(dir, path, at);
        LogPublisher.Publish(first, TimeSpan.FromSeconds(5));
        var metadata = StateMetadata.Read(path);
        Assert.Equal(second.Generation, metadata.Generation);
        Assert.Equal(second.End, metadata.LogLength);
        Assert.Equal(at.AddSeconds(1), metadata.UpdatedAt); // the last record's own time
        LogPublisher.Publish(second, TimeSpan.FromSeconds(5)); // already published: nothing to do
        Assert.Equal(metadata.ToString(), StateMetadata.Read(path).ToString());
        ClusterSnapshot.ClearCache();
        using var s = ClusterSnapshot.Open(path);
        Assert.Equal(2, s.FindContent(new ContentQuery { Cid = new[] { "bafy-first", "bafy-second" } }).Items.Count());
    }

    [Fact]
    public void AFailedSwitch_RemovesItsRecordAndThoseBehindIt_WhoseWritersFailToo()
    {
        var (dir, path, model) = CommitRandomly(seed: 35, commits: 3, checkEach: false);
        using var _ = dir;
        var before = StateMetadata.Read(path);
        var (first, second) = AppendTwo(dir, path, Start.AddDays(3));
        StateStore.MetadataWriteFault = d => { if (d == first.Directory) throw new IOException("No space left on device"); };
        try
        {
            Assert.Equal(ErrorIds.WriteFailed, Assert.Throws<ClusterStateException>(() => LogPublisher.Publish(first, TimeSpan.FromSeconds(5))).ErrorId);
        }
        finally
        {
            StateStore.MetadataWriteFault = null;
        }
        // The second writer's record went with the first's: it must not publish a log it is no longer in.
        var e = Assert.Throws<ClusterStateException>(() => LogPublisher.Publish(second, TimeSpan.FromSeconds(5)));
        Assert.Equal(ErrorIds.WriteFailed, e.ErrorId);
        Assert.Equal(before.ToString(), StateMetadata.Read(path).ToString());
        Assert.Equal(before.LogLength, new FileInfo(Path.Combine(path, before.Log!)).Length);
        ClusterSnapshot.ClearCache();
        using (var s = ClusterSnapshot.Open(path)) AssertSame(model.Rows(), Rows(s), "after the failed switches");
        // A later commit appends where they were, longer than both: a publisher of a removed record
        // that comes late neither counts it as its own nor cuts it.
        var later = new ChangeSet();
        for (int i = 0; i < 400; i++) later.AddContent.Add(new ClusterContent { Cid = $"bafy-later-{i}", Size = i, CreatedAt = Start });
        var committed = StateStore.Commit(path, later);
        model.Apply(later, Start);
        Assert.True(StateMetadata.Read(path).LogLength > second.End);
        Assert.Equal(ErrorIds.WriteFailed, Assert.Throws<ClusterStateException>(() => LogPublisher.Publish(second, TimeSpan.FromSeconds(5))).ErrorId);
        Assert.Equal(committed.Generation, StateMetadata.Read(path).Generation);
        ClusterSnapshot.ClearCache();
        using var after = ClusterSnapshot.Open(path);
        AssertSame(model.Rows(), Rows(after), "after the late publisher");
    }

    [Fact]
    public void RecordsStillToBePublished_AreFollowedByACompaction()
    {
        var (dir, path, _) = CommitRandomly(seed: 36, commits: 3, checkEach: false);
        using var _ = dir;
        var (_, second) = AppendTwo(dir, path, Start.AddDays(3));
        // Their writers have not switched the metadata yet; the compaction's switch publishes them first.
        Assert.NotNull(StateStore.Compact(path));
        var metadata = StateMetadata.Read(path);
        Assert.Equal(second.Generation, metadata.Generation);
        ClusterSnapshot.ClearCache();
        using var s = ClusterSnapshot.Open(path);
        Assert.Equal(second.Generation, s.Generation);
        Assert.Equal(2, s.FindContent(new ContentQuery { Cid = new[] { "bafy-first", "bafy-second" } }).Items.Count());
        // The writers then find their records carried into the new base and return.
        LogPublisher.Publish(second, TimeSpan.FromSeconds(5));
        Assert.Equal(metadata.ToString(), StateMetadata.Read(path).ToString());
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
        // Every record but the log's first (which the metadata must name durably) is flushed and published after the lock.
        Assert.Equal(writers * each - 1, results.SelectMany(r => r).Count(c => c.PhaseMilliseconds.ContainsKey("publish-unlocked")));
        ClusterSnapshot.ClearCache();
        using var s = ClusterSnapshot.Open(path);
        Assert.Equal(1 + writers * each, s.Generation);
        Assert.Equal(writers * each, s.FindContent(new ContentQuery()).Items.Count(c => c.Cid.StartsWith("gc-", StringComparison.Ordinal)));
    }
}
