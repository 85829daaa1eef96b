using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Apache.Arrow;
using ClusterState.Schema;
using ClusterState.Storage;
using Xunit;

namespace ClusterState.Engine.Tests;

/// <summary>
/// The commit log (DESIGN.md §5) against a model: random change sets are committed to a real
/// state and applied to plain object lists with the same rules; after every commit the state —
/// read through the merged columns, through the folded batch, and again from a fresh read of the
/// files — must hold exactly the model's rows in the model's order. Then the log's framing: torn
/// tails, every flipped byte of a record, appends after a torn write, hints that do not fit.
/// </summary>
public class CommitLogTests
{
    /// <summary>The rows of a state (or a model) as JSON per row, in order.</summary>
    internal static List<string> Json<T>(IEnumerable<T> items, EntityFields<T> table)
        where T : class =>
        items.Select(item => JsonSerializer.Serialize(table.View(item).ToDictionary(kv => kv.Key, kv => kv.Value is KeyValuePair<string, object?>[] nested ? nested.ToDictionary(x => x.Key, x => x.Value) : kv.Value))).ToList();

    internal static (List<string> Nodes, List<string> Tasks, List<string> Content) Rows(ClusterSnapshot s) =>
        (Json(s.FindNodes(new NodeQuery()).Items, NodeFields.Table), Json(s.FindTasks(new TaskQuery()).Items, TaskFields.Table), Json(s.FindContent(new ContentQuery()).Items, ContentFields.Table));

    private static (List<string> Nodes, List<string> Tasks, List<string> Content) Rows(EntityColumns[] c)
    {
        var nodes = (NodeColumns)c[0];
        var tasks = (TaskColumns)c[1];
        var content = (ContentColumns)c[2];
        return (Json(nodes.Rows.ToArray().Select(nodes.Read), NodeFields.Table), Json(tasks.Rows.ToArray().Select(tasks.Read), TaskFields.Table),
            Json(content.Rows.ToArray().Select(content.Read), ContentFields.Table));
    }

    internal static void AssertSame((List<string> Nodes, List<string> Tasks, List<string> Content) want, (List<string> Nodes, List<string> Tasks, List<string> Content) got, string where)
    {
        foreach (var (name, w, g) in new[] { ("nodes", want.Nodes, got.Nodes), ("tasks", want.Tasks, got.Tasks), ("content", want.Content, got.Content) })
        {
            int first = Enumerable.Range(0, Math.Min(w.Count, g.Count)).FirstOrDefault(i => w[i] != g[i], -1);
            if (first >= 0) Assert.Fail($"{where}: {name} row {first} differs:\n model {w[first]}\n state {g[first]}");
            if (w.Count != g.Count) Assert.Fail($"{where}: {name} has {g.Count} rows, the model {w.Count}");
        }
    }

    private static EntityColumns[] Entities(RecordBatch b) => new EntityColumns[] { new NodeColumns(b), new TaskColumns(b), new ContentColumns(b) };

    /// <summary>The same rules as the store, on object lists: removals, then updates in order, then additions.</summary>
    internal sealed class Model
    {
        public List<ClusterNode> Nodes = new();
        public List<ClusterTask> Tasks = new();
        public List<ClusterContent> Content = new();

        /// <summary>The model of the state at <paramref name="path"/> as it is now: its rows, read.</summary>
        public static Model Of(string path)
        {
            using var s = ClusterSnapshot.Open(path);
            return new Model
            {
                Nodes = s.Nodes.Rows.ToArray().Select(s.Nodes.Read).ToList(),
                Tasks = s.Tasks.Rows.ToArray().Select(s.Tasks.Read).ToList(),
                Content = s.Content.Rows.ToArray().Select(s.Content.Read).ToList(),
            };
        }

        public void Apply(ChangeSet c, DateTime now)
        {
            Nodes.RemoveAll(n => c.RemoveNodes.Contains(n.Id));
            foreach (var u in c.UpdateNodes) ChangeRules.Apply(Nodes.Single(n => n.Id == u.Id), u);
            Nodes.AddRange(c.AddNodes);
            Tasks.RemoveAll(t => c.RemoveTasks.Contains(t.Id));
            foreach (var u in c.UpdateTasks) ChangeRules.Apply(Tasks.Single(t => t.Id == u.Id), u, now);
            foreach (var t in c.AddTasks)
            {
                t.CreatedAt ??= now;
                t.UpdatedAt ??= now;
                Tasks.Add(t);
            }
            Content.RemoveAll(x => c.RemoveContent.Contains(x.Cid));
            foreach (var u in c.UpdateContent) ChangeRules.Apply(Content.Single(x => x.Cid == u.Cid), u);
            Content.AddRange(c.AddContent);
        }

        public (List<string> Nodes, List<string> Tasks, List<string> Content) Rows() =>
            (Json(Nodes, NodeFields.Table), Json(Tasks, TaskFields.Table), Json(Content, ContentFields.Table));
    }

    internal static readonly DateTime Start = new(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>A state and a model of it after <paramref name="commits"/> random change sets, checked after every one.</summary>
    internal static (TempDirectory Dir, string Path, Model Model) CommitRandomly(int seed, int commits, bool checkEach = true)
    {
        var dir = new TempDirectory();
        string path = dir.Combine("s");
        StateStore.Create(path, TestStates.Sample(nodes: 6, tasks: 40, content: 12, seed: seed).ToStateContent());
        var model = Model.Of(path);
        var random = new Random(seed);
        int serial = 0;
        for (int c = 0; c < commits; c++)
        {
            var now = Start.AddSeconds(c + 1);
            var change = RandomChange(random, model, ref serial, now);
            StateStore.Commit(path, change, new CommitOptions { Now = now, Durable = false });
            model.Apply(change, now);
            if (!checkEach) continue;
            using var s = ClusterSnapshot.Open(path);
            AssertSame(model.Rows(), Rows(s), $"commit {c + 1}, merged columns");
            AssertSame(model.Rows(), Rows(Entities(s.RecordBatch)), $"commit {c + 1}, folded batch");
        }
        return (dir, path, model);
    }

    internal static ChangeSet RandomChange(Random random, Model m, ref int serial, DateTime now)
    {
        var change = new ChangeSet { Force = true };
        var touched = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        T? Pick<T>(List<T> items, Func<T, string> id) where T : class
        {
            for (int tries = 0; tries < 10 && items.Count > 0; tries++)
            {
                var item = items[random.Next(items.Count)];
                if (touched.Add(id(item))) return item;
            }
            return null;
        }
        int n = random.Next(1, 6);
        for (int i = 0; i < n; i++)
        {
            switch (random.Next(10))
            {
                case 0 or 1 or 2:
                    if (Pick(m.Tasks, t => t.Id) is { } t) change.UpdateTasks.Add(new TaskUpdate { Id = t.Id, Status = random.Next(2) == 0 ? "failed" : "pending", MemoryMB = random.Next(1, 4096) });
                    break;
                case 3:
                    if (Pick(m.Tasks, t => t.Id) is { } r) change.RemoveTasks.Add(r.Id);
                    break;
                case 4:
                    change.AddTasks.Add(new ClusterTask { Id = $"new-task-{serial++}", Type = "compute", Status = "pending", InputCids = new[] { "bafy-x" } });
                    break;
                case 5:
                    if (Pick(m.Nodes, x => x.Id) is { } node) change.UpdateNodes.Add(new NodeUpdate { Id = node.Id, CpuLoad = random.Next(0, 100), AddCapabilities = new[] { "cap" + random.Next(3) } });
                    break;
                case 6:
                    change.AddNodes.Add(new ClusterNode { Id = $"new-node-{serial++}", Role = "worker", Status = "online" });
                    break;
                case 7:
                    if (Pick(m.Content, x => x.Cid) is { } x) change.RemoveContent.Add(x.Cid);
                    break;
                case 8:
                    // An id removed by an earlier commit comes back: it is new, so it goes last.
                    change.AddContent.Add(new ClusterContent { Cid = $"bafy-back-{random.Next(4)}", Size = 7, CreatedAt = now });
                    if (m.Content.Any(c => c.Cid == change.AddContent[^1].Cid) || !touched.Add(change.AddContent[^1].Cid)) change.AddContent.RemoveAt(change.AddContent.Count - 1);
                    break;
                default:
                    if (Pick(m.Content, x => x.Cid) is { } y) change.UpdateContent.Add(new ContentUpdate { Cid = y.Cid, ReplicationDelta = 1 });
                    break;
            }
        }
        if (change.IsEmpty) change.AddContent.Add(new ClusterContent { Cid = $"bafy-new-{serial++}", Size = 1, CreatedAt = now });
        return change;
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    public void TheIdIndexesOfEveryGeneration_FindEachIdAtItsMergedRow_AndNoRemovedId(int seed)
    {
        // The index of a merged generation indexes only the log's new ids and finds the rest
        // through the base's index: a replaced row by its base row, a removed one not at all, a
        // base id removed and added again as a new row.
        using var dir = new TempDirectory();
        string path = dir.Combine("s");
        StateStore.Create(path, TestStates.Sample(nodes: 6, tasks: 40, content: 12, seed: seed).ToStateContent());
        var model = Model.Of(path);
        var everSeen = new[] { model.Nodes.Select(n => n.Id), model.Tasks.Select(t => t.Id), model.Content.Select(c => c.Cid) }
            .Select(ids => new HashSet<string>(ids, StringComparer.Ordinal)).ToArray();
        var random = new Random(seed);
        int serial = 0;
        string baseTask = model.Tasks[^1].Id;
        for (int c = 0; c < 30; c++)
        {
            var now = Start.AddSeconds(c + 1);
            var change = c switch
            {
                10 when model.Tasks.Any(t => t.Id == baseTask) => new ChangeSet { RemoveTasks = { baseTask } },
                11 when model.Tasks.All(t => t.Id != baseTask) => new ChangeSet { AddTasks = { new ClusterTask { Id = baseTask, Type = "compute", Status = "pending" } } },
                _ => RandomChange(random, model, ref serial, now),
            };
            StateStore.Commit(path, change, new CommitOptions { Now = now, Durable = false, CompactLogRecords = 0 });
            model.Apply(change, now);
            foreach (var (seen, ids) in everSeen.Zip(new[] { model.Nodes.Select(n => n.Id), model.Tasks.Select(t => t.Id), model.Content.Select(x => x.Cid) }))
                seen.UnionWith(ids);
            using var s = ClusterSnapshot.Open(path);
            Assert.NotNull(s.Data.BaseData);
            var entities = new EntityColumns[] { s.Nodes, s.Tasks, s.Content };
            for (int k = 0; k < 3; k++)
            {
                var index = SnapshotIndexes.For(s, k);
                var present = new HashSet<string>(StringComparer.Ordinal);
                foreach (int row in entities[k].Rows)
                {
                    string id = entities[k].Keys.Get(row)!;
                    present.Add(id);
                    Assert.Equal(row, index.Find(id));
                }
                foreach (string gone in everSeen[k].Where(id => !present.Contains(id)))
                    Assert.Equal(-1, index.Find(gone));
            }
        }
        Assert.Contains(baseTask, everSeen[1]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void EveryGeneration_ReadsAsTheModelSays_ThroughMergedColumnsTheFoldedBatchAndAFreshRead(int seed)
    {
        var (dir, path, model) = CommitRandomly(seed, commits: 30);
        using var _ = dir;
        ClusterSnapshot.ClearCache();
        using var fresh = ClusterSnapshot.Open(path);
        Assert.Equal(31, fresh.Generation);
        Assert.Null(fresh.LogDamage);
        AssertSame(model.Rows(), Rows(fresh), "a fresh read");
        // Queries over base and log rows: the same answers as over the model, in its order.
        Assert.Equal(model.Tasks.Where(t => t.Status == "failed").Select(t => t.Id), fresh.FindTasks(new TaskQuery { Status = new[] { "failed" } }).Items.Select(t => t.Id));
        Assert.Equal(model.Tasks.Count(t => t.Status == "pending"), ClusterAnalysis.GetStatus(fresh).TasksByStatus.GetValueOrDefault("pending"));
        foreach (var t in model.Tasks.Take(5).Concat(model.Tasks.TakeLast(5)))
            Assert.Equal(t.Id, fresh.FindTasks(new TaskQuery { Id = new[] { t.Id } }).Items.Single().Id);
        var gone = fresh.FindTasks(new TaskQuery { Id = new[] { "no-such-task" } });
        Assert.Empty(gone.Items);
    }

    /// <summary>(start, length) of each record after the schema message.</summary>
    internal static List<(int Start, int Length)> Records(byte[] log)
    {
        var result = new List<(int, int)>();
        Assert.True(IpcLayout.TryReadMessage(log, out var header));
        int at = header.Length;
        while (at < log.Length && IpcLayout.TryReadMessage(log.AsSpan(at), out var m))
        {
            result.Add((at, m.Length));
            at += m.Length;
        }
        return result;
    }

    /// <summary>A state after <paramref name="commits"/> random commits: its log's path, bytes and records.</summary>
    internal static (TempDirectory Dir, string Path, string Log, byte[] Bytes, List<(int Start, int Length)> Records) Logged(int seed, int commits)
    {
        var (dir, path, _) = CommitRandomly(seed, commits, checkEach: false);
        string log = Path.Combine(path, StateMetadata.Read(path).Log!);
        var bytes = File.ReadAllBytes(log);
        return (dir, path, log, bytes, Records(bytes));
    }

    private static int Applied(string path, ReadOnlyMemory<byte> log, string logPath)
    {
        using var s = ClusterSnapshot.OpenFile(Path.Combine(path, StateMetadata.Read(path).Snapshot));
        var contents = CommitLog.Read(log, logPath);
        EntityMerge.Build(Entities(s.RecordBatch), contents.Records, out int applied, out _, out _);
        return applied;
    }

    [Fact]
    public void TheLog_IsAnArrowStream_ThatAnyStreamReaderReads()
    {
        var (dir, _, log, _, records) = Logged(seed: 5, commits: 3);
        using var _ = dir;
        using var stream = File.OpenRead(log);
        using var reader = new Apache.Arrow.Ipc.ArrowStreamReader(stream);
        int batches = 0;
        while (reader.ReadNextRecordBatch() is { } batch)
        {
            Assert.Equal(1, batch.Length);
            batches++;
        }
        Assert.Equal(3, batches);
        Assert.Equal(3, records.Count);
        Assert.Equal(ClusterSchema.LogFormat, reader.Schema.Metadata[ClusterSchema.LogFormatKey]);
    }

    [Fact]
    public void ATornTail_IsNotRead_AndTheRecordsBeforeItAre()
    {
        var (dir, path, log, bytes, records) = Logged(seed: 6, commits: 4);
        using var _ = dir;
        var last = records[^1];
        foreach (int cut in new[] { 1, 7, 8, 100, last.Length / 2, last.Length - 1 })
        {
            var contents = CommitLog.Read(bytes.AsMemory(0, last.Start + cut), log);
            Assert.Equal(3, contents.Records.Count);
            Assert.Equal(last.Start, contents.Length);
            Assert.NotNull(contents.Damage);
            Assert.Equal(3, Applied(path, bytes.AsMemory(0, last.Start + cut), log));
        }
    }

    [Fact]
    public void AnyFlippedByte_StopsTheLogBeforeItsRecord_NeverReadsAWrongValue()
    {
        var (dir, path, log, bytes, records) = Logged(seed: 8, commits: 3);
        using var _ = dir;
        var second = records[1];
        for (int at = second.Start; at < second.Start + second.Length; at++)
        {
            var damaged = (byte[])bytes.Clone();
            damaged[at] ^= 0x20;
            var contents = CommitLog.Read(damaged, log);
            Assert.Single(contents.Records);
            Assert.Equal(second.Start, contents.Length);
        }
    }

    [Fact]
    public void ADamagedPublishedRecord_OpensAtTheLastGoodOne_AndTheNextCommitFollowsIt()
    {
        var (dir, path, log, bytes, records) = Logged(seed: 11, commits: 4);
        using var _ = dir;
        bytes[records[2].Start + records[2].Length / 2] ^= 0x01;
        File.WriteAllBytes(log, bytes);
        ClusterSnapshot.ClearCache();
        using (var s = ClusterSnapshot.Open(path))
        {
            Assert.Equal(3, s.Generation); // base 1, then two good records
            Assert.NotNull(s.LogDamage);
        }
        var result = StateStore.Commit(path, new ChangeSet { AddContent = { new ClusterContent { Cid = "bafy-after-damage", Size = 1 } } });
        Assert.Equal(6, result.Generation); // generations never go back, even past lost records
        ClusterSnapshot.ClearCache();
        using var after = ClusterSnapshot.Open(path);
        Assert.Null(after.LogDamage);
        Assert.Equal(6, after.Generation);
        Assert.Single(after.FindContent(new ContentQuery { Cid = new[] { "bafy-after-damage" } }).Items);
        Assert.Equal(records[2].Start + CommitLog.Read(File.ReadAllBytes(log), log).Length - records[2].Start, new FileInfo(log).Length);
    }

    [Fact]
    public void Appending_CutsWhatATornWriteLeftBehind()
    {
        var (dir, path, log, _, _) = Logged(seed: 9, commits: 2);
        using var _ = dir;
        long published = StateMetadata.Read(path).LogLength;
        // A crashed writer left half a record beyond the published end.
        using (var f = new FileStream(log, FileMode.Append)) f.Write(new byte[300], 0, 300);
        StateStore.Commit(path, new ChangeSet { AddContent = { new ClusterContent { Cid = "bafy-after-tear", Size = 1 } } });
        var metadata = StateMetadata.Read(path);
        Assert.Equal(metadata.LogLength, new FileInfo(log).Length);
        var contents = CommitLog.Read(File.ReadAllBytes(log), log);
        Assert.Null(contents.Damage);
        Assert.Equal(3, contents.Records.Count);
        Assert.True(metadata.LogLength > published);
    }

    [Fact]
    public void ARecordWhoseHintsDoNotFitTheBase_StopsTheMerge()
    {
        var (dir, _, log, bytes, _) = Logged(seed: 10, commits: 3);
        using var _ = dir;
        var contents = CommitLog.Read(bytes, log);
        // The same records over another base: their hints name rows that hold other ids.
        using var other = new TempDirectory();
        string path = other.Combine("s");
        StateStore.Create(path, TestStates.Sample(nodes: 6, tasks: 40, content: 12, seed: 99).ToStateContent());
        using var wrongBase = ClusterSnapshot.Open(path);
        EntityMerge.Build(Entities(wrongBase.RecordBatch), contents.Records, out int applied, out string? damage, out var progress);
        Assert.True(applied < 3);
        Assert.NotNull(damage);
    }

    [Fact]
    public void ReopeningAfterACommit_DecodesOnlyTheNewRecords()
    {
        var (dir, path, model) = CommitRandomly(seed: 12, commits: 5, checkEach: false);
        using var _ = dir;
        using var before = ClusterSnapshot.Open(path);
        var known = before.Data.Log!.Records;
        var now = Start.AddDays(2);
        var change = new ChangeSet { AddContent = { new ClusterContent { Cid = "bafy-tail", Size = 3, CreatedAt = now } } };
        StateStore.Commit(path, change, new CommitOptions { Now = now });
        model.Apply(change, now);
        // What the snapshot cache does on the next open (called directly: other tests may clear the process-wide cache).
        var metadata = StateMetadata.Read(path);
        var next = SnapshotData.WithLog(before.Data.BaseData!, Path.Combine(path, metadata.Log!), metadata.LogLength, previous: before.Data);
        try
        {
            var records = next.Log!.Records;
            Assert.Equal(known.Count + 1, records.Count);
            for (int i = 0; i < known.Count; i++) Assert.Same(known[i], records[i]);
        }
        finally
        {
            next.Release();
        }
        using var after = ClusterSnapshot.Open(path);
        AssertSame(model.Rows(), Rows(after), "after reading the tail");
        // The handle opened before still reads its own generation.
        Assert.Equal(after.Generation - 1, before.Generation);
        Assert.Empty(before.FindContent(new ContentQuery { Cid = new[] { "bafy-tail" } }).Items);
    }

    [Fact]
    public void ARecordThatDoesNotReadBack_IsRefusedBeforeItIsWritten()
    {
        var (dir, path, _) = CommitRandomly(seed: 13, commits: 2, checkEach: false);
        using var _ = dir;
        string log = Path.Combine(path, StateMetadata.Read(path).Log!);
        var bytes = File.ReadAllBytes(log);
        var contents = CommitLog.Read(bytes, log);
        var last = Records(bytes)[^1];
        var record = bytes.AsSpan(last.Start, last.Length).ToArray();
        CommitLog.CheckReadable(contents.Schema, record, log); // a sound record passes
        // A buffer offset in the record's metadata pointing far past its body (what a damaged base schema once made).
        Assert.True(IpcLayout.TryReadMessage(record, out var message));
        var damaged = (byte[])record.Clone();
        for (int i = 8; i < message.BodyStart - 8; i++) damaged[i] ^= 0x5A;
        var e = Assert.Throws<ClusterStateException>(() => CommitLog.CheckReadable(contents.Schema, damaged, log));
        Assert.Equal(ErrorIds.SnapshotCorrupt, e.ErrorId);
    }
}
