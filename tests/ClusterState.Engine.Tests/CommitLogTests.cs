using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Apache.Arrow;
using ClusterState.Schema;
using ClusterState.Storage;
using Xunit;
using Take = ClusterState.Storage.ArrayInterleave.Take;

namespace ClusterState.Engine.Tests;

/// <summary>
/// The commit log (DESIGN.md §5): records written and read back through a real file, merged over
/// a base, and folded — against the single-file commit path as the oracle: after random change
/// sets, base + log must give exactly the rows, in exactly the order, of the snapshot the old
/// path wrote. Then torn and damaged tails.
/// </summary>
public class CommitLogTests
{
    /// <summary>A base, the snapshots the commit path wrote after it, and the records that say the same.</summary>
    private sealed class Run : IDisposable
    {
        public readonly TempDirectory Dir = new();
        public ClusterSnapshot Base = null!;
        public readonly List<ClusterSnapshot> Snapshots = new();
        public readonly List<byte[]> Records = new();
        public string LogPath => Dir.Combine("commits.arrows");

        public void Dispose()
        {
            Base.Dispose();
            foreach (var s in Snapshots) s.Dispose();
            Dir.Dispose();
        }
    }

    private static string Key(int entity, object item) => entity switch
    {
        0 => ((ClusterNode)item).Id,
        1 => ((ClusterTask)item).Id,
        _ => ((ClusterContent)item).Cid,
    };

    private static List<(string Id, string Json)> Rows(EntityColumns c, int entity)
    {
        var rows = new List<(string, string)>();
        for (int i = 0; i < c.Count; i++)
        {
            object item = c switch
            {
                NodeColumns n => n.Read(i),
                TaskColumns t => t.Read(i),
                ContentColumns x => x.Read(i),
                _ => throw new InvalidOperationException(),
            };
            var view = entity switch
            {
                0 => NodeFields.Table.View((ClusterNode)item),
                1 => TaskFields.Table.View((ClusterTask)item),
                _ => ContentFields.Table.View((ClusterContent)item),
            };
            rows.Add((Key(entity, item), JsonSerializer.Serialize(view.ToDictionary(kv => kv.Key, kv => kv.Value is KeyValuePair<string, object?>[] nested ? nested.ToDictionary(x => x.Key, x => x.Value) : kv.Value))));
        }
        return rows;
    }

    private static EntityColumns[] Entities(RecordBatch b) => new EntityColumns[] { new NodeColumns(b), new TaskColumns(b), new ContentColumns(b) };

    /// <summary>Random change sets committed by the single-file path; each one's record derived from the snapshots before and after it.</summary>
    private static Run Commit(int seed, int commits)
    {
        var run = new Run();
        var random = new Random(seed);
        string path = run.Dir.Combine("s");
        StateStore.Create(path, TestStates.Sample(nodes: 6, tasks: 40, content: 12, seed: seed).ToStateContent());
        File.Copy(Path.Combine(path, StateMetadata.Read(path).Snapshot), run.Dir.Combine("base.arrow"));
        run.Base = ClusterSnapshot.OpenFile(run.Dir.Combine("base.arrow"));
        var logSchema = ClusterSchema.BuildLog(run.Base.Schema, run.Base.Generation);
        File.WriteAllBytes(run.LogPath, CommitLog.Header(logSchema));
        var baseIds = Entities(run.Base.RecordBatch).Select((c, k) => Rows(c, k).Select((r, i) => (r.Id, i)).ToDictionary(x => x.Id, x => x.i)).ToArray();
        var baseLive = baseIds.Select(d => new HashSet<string>(d.Keys)).ToArray();
        var previous = run.Base;
        int serial = 0;
        for (int c = 0; c < commits; c++)
        {
            var change = RandomChange(random, previous, ref serial);
            StateStore.Commit(path, change);
            var next = ClusterSnapshot.OpenFile(Path.Combine(path, StateMetadata.Read(path).Snapshot));
            run.Snapshots.Add(next);
            var before = Entities(previous.RecordBatch);
            var after = Entities(next.RecordBatch);
            var parts = new RecordEntity[3];
            for (int k = 0; k < 3; k++)
            {
                var old = Rows(before[k], k).ToDictionary(r => r.Id, r => r.Json);
                var now = Rows(after[k], k);
                var nowIds = new HashSet<string>(now.Select(r => r.Id));
                var removed = old.Keys.Where(id => !nowIds.Contains(id)).ToArray();
                var removedHints = removed.Select(id => baseLive[k].Contains(id) ? baseIds[k][id] : -1).ToArray();
                foreach (var id in removed) baseLive[k].Remove(id);
                var written = now.Select((r, i) => (r, i)).Where(x => !old.TryGetValue(x.r.Id, out var json) || json != x.r.Json).ToArray();
                var takes = written.Select(x => new Take(0, after[k].Start + x.i)).ToArray();
                var rows = (StructArray)ArrayInterleave.Build(after[k].Items.Data.DataType, new IArrowArray?[] { after[k].Items }, takes);
                var hints = written.Select(x => baseLive[k].Contains(x.r.Id) ? baseIds[k][x.r.Id] : -1).ToArray();
                parts[k] = new RecordEntity(rows, hints, removed, removedHints);
            }
            var record = CommitRecord.Build(logSchema, next.Generation, next.ClusterId, next.MasterId, next.UpdatedAt!.Value, parts);
            var bytes = CommitLog.Serialize(record);
            CommitLog.Write(run.LogPath, new FileInfo(run.LogPath).Length, bytes, durable: false);
            run.Records.Add(bytes);
            previous = next;
        }
        return run;
    }

    private static ChangeSet RandomChange(Random random, ClusterSnapshot s, ref int serial)
    {
        var tasks = s.FindTasks(new TaskQuery()).Items.ToList();
        var nodes = s.FindNodes(new NodeQuery()).Items.ToList();
        var content = s.FindContent(new ContentQuery()).Items.ToList();
        var change = new ChangeSet { Force = true, RequeueTasksOfRemovedNodes = true };
        var touched = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        T Pick<T>(List<T> items, Func<T, string> id) where T : class
        {
            for (int tries = 0; tries < 10 && items.Count > 0; tries++)
            {
                var item = items[random.Next(items.Count)];
                if (touched.Add(id(item))) return item;
            }
            return null!;
        }
        int n = random.Next(1, 5);
        for (int i = 0; i < n; i++)
        {
            switch (random.Next(9))
            {
                case 0 or 1 or 2:
                    if (Pick(tasks, t => t.Id) is { } t) change.UpdateTasks.Add(new TaskUpdate { Id = t.Id, Status = random.Next(2) == 0 ? "failed" : "pending", MemoryMB = random.Next(1, 4096) });
                    break;
                case 3:
                    if (Pick(tasks, t => t.Id) is { } r) change.RemoveTasks.Add(r.Id);
                    break;
                case 4:
                    change.AddTasks.Add(new ClusterTask { Id = $"new-task-{serial++}", Type = "compute", Status = "pending", InputCids = new[] { "bafy-x" } });
                    break;
                case 5:
                    if (Pick(nodes, x => x.Id) is { } node) change.UpdateNodes.Add(new NodeUpdate { Id = node.Id, CpuLoad = random.Next(0, 100), AddCapabilities = new[] { "cap" + random.Next(3) } });
                    break;
                case 6:
                    change.AddNodes.Add(new ClusterNode { Id = $"new-node-{serial++}", Role = "worker", Status = "online" });
                    break;
                case 7:
                    if (Pick(content, x => x.Cid) is { } x) change.RemoveContent.Add(x.Cid);
                    break;
                default:
                    if (Pick(content, x => x.Cid) is { } y) change.UpdateContent.Add(new ContentUpdate { Cid = y.Cid, ReplicationDelta = 1 });
                    else change.AddContent.Add(new ClusterContent { Cid = $"bafy-new-{serial++}", Size = 10 });
                    break;
            }
        }
        if (change.IsEmpty) change.AddContent.Add(new ClusterContent { Cid = $"bafy-new-{serial++}", Size = 1 });
        return change;
    }

    private static (LogContents Log, RowMerge[] Merges, int Applied, string? Damage) ReadLog(Run run, byte[] bytes)
    {
        var log = CommitLog.Read(bytes, run.LogPath);
        var merges = EntityMerge.Build(Entities(run.Base.RecordBatch), log.Records, out int applied, out string? damage);
        return (log, merges, applied, damage);
    }

    private static void AssertSameState(ClusterSnapshot expected, RecordBatch folded)
    {
        var want = Entities(expected.RecordBatch);
        var got = Entities(folded);
        for (int k = 0; k < 3; k++) Assert.Equal(Rows(want[k], k), Rows(got[k], k));
        Assert.Equal(expected.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture), folded.Schema.Metadata[ClusterSchema.GenerationKey]);
        Assert.Equal(expected.UpdatedAt, new ClusterSnapshotProbe(folded).UpdatedAt);
    }

    /// <summary>Reads the top-level updated_at of a folded batch.</summary>
    private sealed class ClusterSnapshotProbe(RecordBatch batch)
    {
        public DateTime? UpdatedAt => ((TimestampArray)ColumnBinding.Column(batch, ClusterSchema.Names.UpdatedAt)!).GetTimestamp(0)?.UtcDateTime;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void BasePlusLog_GivesTheSnapshotsOfTheSingleFilePath_AfterEveryRecord(int seed)
    {
        using var run = Commit(seed, commits: 25);
        var bytes = File.ReadAllBytes(run.LogPath);
        var (log, merges, applied, damage) = ReadLog(run, bytes);
        Assert.Null(log.Damage);
        Assert.Null(damage);
        Assert.Equal(25, applied);
        Assert.Equal(bytes.Length, log.Length);
        // Every prefix of the log is a state: the generation after that many commits.
        for (int r = 0; r <= 25; r += 5)
        {
            var prefix = log.Records.Take(r).ToList();
            var m = EntityMerge.Build(Entities(run.Base.RecordBatch), prefix, out int n, out _);
            var folded = Compaction.Fold(run.Base.RecordBatch, prefix, m, n);
            if (r == 0) Assert.Same(run.Base.RecordBatch, folded);
            else AssertSameState(run.Snapshots[r - 1], folded);
        }
        Assert.Equal(merges.Select(m => m.Count), Entities(run.Snapshots[^1].RecordBatch).Select(c => c.Count));
    }

    [Fact]
    public void TheLog_IsAnArrowStream_ThatAnyStreamReaderReads()
    {
        using var run = Commit(seed: 5, commits: 3);
        using var stream = File.OpenRead(run.LogPath);
        using var reader = new Apache.Arrow.Ipc.ArrowStreamReader(stream);
        int batches = 0;
        while (reader.ReadNextRecordBatch() is { } batch)
        {
            Assert.Equal(1, batch.Length);
            batches++;
        }
        Assert.Equal(3, batches);
        Assert.Equal(ClusterSchema.LogFormat, reader.Schema.Metadata[ClusterSchema.LogFormatKey]);
    }

    [Fact]
    public void ATornTail_IsNotRead_AndTheRecordsBeforeItAre()
    {
        using var run = Commit(seed: 6, commits: 4);
        var bytes = File.ReadAllBytes(run.LogPath);
        int lastStart = bytes.Length - run.Records[^1].Length;
        foreach (int cut in new[] { 1, 7, 8, 100, run.Records[^1].Length / 2, run.Records[^1].Length - 1 })
        {
            var (log, _, applied, _) = ReadLog(run, bytes[..(lastStart + cut)]);
            Assert.Equal(3, log.Records.Count);
            Assert.Equal(3, applied);
            Assert.Equal(lastStart, log.Length);
            Assert.NotNull(log.Damage);
        }
    }

    [Fact]
    public void AnyFlippedByte_StopsTheLogBeforeItsRecord_NeverReadsAWrongValue()
    {
        using var run = Commit(seed: 8, commits: 3);
        var bytes = File.ReadAllBytes(run.LogPath);
        int secondStart = bytes.Length - run.Records[^1].Length - run.Records[^2].Length;
        int secondEnd = bytes.Length - run.Records[^1].Length;
        for (int at = secondStart; at < secondEnd; at++)
        {
            var damaged = (byte[])bytes.Clone();
            damaged[at] ^= 0x20;
            var (log, _, applied, _) = ReadLog(run, damaged);
            Assert.Single(log.Records);
            Assert.Equal(1, applied);
            Assert.Equal(secondStart, log.Length);
        }
    }

    [Fact]
    public void Appending_CutsWhatATornWriteLeftBehind()
    {
        using var run = Commit(seed: 9, commits: 2);
        long published = new FileInfo(run.LogPath).Length;
        // A crashed writer left half a record beyond the published end.
        using (var f = new FileStream(run.LogPath, FileMode.Append)) f.Write(run.Records[0], 0, run.Records[0].Length / 2);
        CommitLog.Write(run.LogPath, published, run.Records[^1], durable: true);
        Assert.Equal(published + run.Records[^1].Length, new FileInfo(run.LogPath).Length);
        var (log, _, _, _) = ReadLog(run, File.ReadAllBytes(run.LogPath));
        Assert.Null(log.Damage);
        Assert.Equal(3, log.Records.Count);
    }

    [Fact]
    public void ARecordWhoseHintsDoNotFitTheBase_StopsTheMerge()
    {
        using var run = Commit(seed: 10, commits: 3);
        var log = CommitLog.Read(File.ReadAllBytes(run.LogPath), run.LogPath);
        // The same records over another base: the first record's hints name rows that hold other ids.
        using var other = new TempDirectory();
        string path = other.Combine("s");
        StateStore.Create(path, TestStates.Sample(nodes: 6, tasks: 40, content: 12, seed: 99).ToStateContent());
        using var wrongBase = ClusterSnapshot.Open(path);
        EntityMerge.Build(Entities(wrongBase.RecordBatch), log.Records, out int applied, out string? damage);
        Assert.True(applied < 3);
        Assert.NotNull(damage);
    }
}
