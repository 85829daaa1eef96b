using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ClusterState.Schema;
using ClusterState.Storage;
using Xunit;

namespace ClusterState.Engine.Tests;

/// <summary>
/// The commit log damaged at random, as the snapshot is in
/// <see cref="StorageTests.Open_FlippedBytesInsideTheSnapshot_NeverCrashesOnlyThrowsOrReads"/>:
/// a log with a damaged or torn tail must open at its last good record, with the answers of that
/// generation, or be refused as SnapshotCorrupt; nothing else.
/// </summary>
public class LogFuzzTests
{
    /// <summary>
    /// Over a base and a log of 20 records (the rows of every generation recorded on the way),
    /// each round damages the log — bits flipped, a range zero-filled or overwritten with random
    /// bytes, the file cut short, garbage appended — inside or beyond the published log_length,
    /// and opens the state from cold. The open either yields a generation between the base's and
    /// the published one, whose rows are exactly those recorded for it, with LogDamage set
    /// whenever it stopped short of the published generation; or throws a ClusterStateException
    /// with SnapshotCorrupt. A commit on top then either follows the generation that opened (the
    /// next open is whole: that generation's rows and the new task last) or, when the state did
    /// not open, is refused as SnapshotCorrupt. CLUSTERSTATE_LOG_FUZZ_ROUNDS sets the count (200 by default;
    /// build.ps1 Fuzz runs 5,000).
    /// </summary>
    [Fact]
    public void DamagedLog_OpensAtAGoodGenerationWithItsAnswers_OrIsRefusedAsCorrupt()
    {
        const int Commits = 20;
        using var dir = new TempDirectory();
        string path = dir.Combine("s");
        StateStore.Create(path, TestStates.Sample(nodes: 6, tasks: 40, content: 12, seed: 31).ToStateContent());
        var model = CommitLogTests.Model.Of(path);
        var expected = new Dictionary<long, (List<string> Nodes, List<string> Tasks, List<string> Content)>();
        long baseGeneration;
        using (var s = ClusterSnapshot.Open(path))
        {
            baseGeneration = s.Generation;
            expected[s.Generation] = CommitLogTests.Rows(s);
        }
        var random = new Random(31);
        int serial = 0;
        for (int c = 0; c < Commits; c++)
        {
            var now = CommitLogTests.Start.AddSeconds(c + 1);
            var change = CommitLogTests.RandomChange(random, model, ref serial, now);
            StateStore.Commit(path, change, new CommitOptions { Now = now, Durable = false });
            model.Apply(change, now);
            using var s = ClusterSnapshot.Open(path);
            expected[s.Generation] = CommitLogTests.Rows(s);
        }

        var metadata = StateMetadata.Read(path);
        Assert.Equal(baseGeneration, metadata.Generation - Commits);
        string log = Path.Combine(path, metadata.Log!);
        string metadataFile = Path.Combine(path, StateMetadata.FileName);
        var original = File.ReadAllBytes(log);
        var originalMetadata = File.ReadAllBytes(metadataFile);
        Assert.Equal(metadata.LogLength, original.Length);
        int published = original.Length;

        var rng = new Random(17);
        int rounds = int.TryParse(Environment.GetEnvironmentVariable("CLUSTERSTATE_LOG_FUZZ_ROUNDS"), out int r) ? r : 200;
        var outcomes = new Dictionary<string, int>();
        for (int round = 0; round < rounds; round++)
        {
            var (bytes, damage) = Damage(original, rng);
            ClusterSnapshot.ClearCache();
            File.WriteAllBytes(metadataFile, originalMetadata);
            File.WriteAllBytes(log, bytes);
            string where = $"round {round} ({damage})";
            string outcome;
            long opened = -1;
            try
            {
                using var s = ClusterSnapshot.Open(path);
                opened = s.Generation;
                Assert.True(s.Generation >= baseGeneration && s.Generation <= metadata.Generation, $"{where}: opened at generation {s.Generation}");
                CommitLogTests.AssertSame(expected[s.Generation], CommitLogTests.Rows(s), $"{where}, generation {s.Generation}");
                if (s.Generation < metadata.Generation) Assert.True(s.LogDamage is not null, $"{where}: opened at generation {s.Generation} of {metadata.Generation} without saying why");
                // The folded batch (exports, checkpoints) holds the same rows as the merged columns.
                Assert.Equal(expected[s.Generation].Tasks.Count, new TaskColumns(s.RecordBatch).Count);
                outcome = s.Generation == metadata.Generation ? "whole" : "stopped short";
            }
            catch (ClusterStateException e)
            {
                Assert.True(e.ErrorId == ErrorIds.SnapshotCorrupt, $"{where}: {e.ErrorId}: {e.Message}");
                outcome = "refused";
            }
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;

            // A commit on top follows the last good record (cutting what lies after it) or is refused with the state.
            string id = $"fuzz-{round}";
            try
            {
                var result = StateStore.Commit(path, new ChangeSet { AddTasks = { new ClusterTask { Id = id, Status = "pending", InputCids = new[] { "QmFuzz" } } } },
                    new CommitOptions { Durable = false });
                Assert.True(opened >= 0, $"{where}: a commit succeeded on a state that did not open");
                Assert.Equal(metadata.Generation + 1, result.Generation);
                ClusterSnapshot.ClearCache();
                using var after = ClusterSnapshot.Open(path);
                Assert.True(after.LogDamage is null, $"{where}: after a commit: {after.LogDamage}");
                var rows = CommitLogTests.Rows(after);
                Assert.Equal(id, after.FindTasks(new TaskQuery()).Items.Last().Id);
                rows.Tasks.RemoveAt(rows.Tasks.Count - 1);
                CommitLogTests.AssertSame(expected[opened], rows, $"{where}, committed on generation {opened}");
            }
            catch (ClusterStateException e)
            {
                Assert.True(opened < 0, $"{where}: a commit on generation {opened} failed: {e.ErrorId}: {e.Message}");
                Assert.True(e.ErrorId == ErrorIds.SnapshotCorrupt, $"{where}: the commit failed with {e.ErrorId}: {e.Message}");
            }
        }
        // Every kind of outcome occurs, or the damage is not reaching what it should.
        if (rounds >= 100) Assert.True(outcomes.Count == 3, string.Join(", ", outcomes.Select(kv => $"{kv.Key} {kv.Value}")));
    }

    /// <summary>
    /// The log's schema message has no checksum of its own. Every byte of it flipped in turn: the
    /// state opens with every record (the damage did not matter) or is SnapshotCorrupt. Found by
    /// the loop above: a flipped field name used to fail as SchemaMismatch, a flipped type as
    /// Arrow's InvalidDataException, and a flipped vector count made Apache.Arrow allocate
    /// gigabytes (up to a minute and 18 GB for one open).
    /// </summary>
    [Fact]
    public void DamagedSchemaMessage_OpensWholeOrIsRefusedAsCorrupt()
    {
        using var dir = new TempDirectory();
        string path = TestStates.Create(dir, TestStates.Sample(nodes: 3, tasks: 5, content: 3));
        string first;
        using (var s = ClusterSnapshot.Open(path)) first = s.FindTasks(new TaskQuery()).Items.First().Id;
        StateStore.Commit(path, new ChangeSet { UpdateTasks = { new TaskUpdate { Id = first, Status = "failed" } } });
        var metadata = StateMetadata.Read(path);
        string log = Path.Combine(path, metadata.Log!);
        var original = File.ReadAllBytes(log);
        Assert.True(IpcLayout.TryReadMessage(original, out var header));
        for (int at = 0; at < header.Length; at++)
        {
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            var bytes = (byte[])original.Clone();
            bytes[at] ^= 0x20;
            File.WriteAllBytes(log, bytes);
            ClusterSnapshot.ClearCache();
            try
            {
                using var s = ClusterSnapshot.Open(path);
                Assert.True(s.Generation == metadata.Generation && s.LogDamage is null, $"byte {at}: generation {s.Generation}, {s.LogDamage}");
            }
            catch (ClusterStateException e)
            {
                Assert.True(e.ErrorId == ErrorIds.SnapshotCorrupt, $"byte {at}: {e.ErrorId}: {e.Message}");
            }
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            Assert.True(allocated < 64 << 20, $"byte {at}: opening allocated {allocated >> 20} MiB");
        }
    }

    /// <summary>
    /// The log summary damaged the same ways (it is a file in the log's own format): the state
    /// reads exactly as its log says whatever the summary holds — a damaged summary is passed
    /// over for the whole log, never read as a shorter or another state, never refused.
    /// CLUSTERSTATE_LOG_FUZZ_ROUNDS sets the count.
    /// </summary>
    [Fact]
    public void DamagedSummary_IsPassedOver_TheStateReadsAsItsLogSays()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("s");
        StateStore.Create(path, TestStates.Sample(nodes: 6, tasks: 40, content: 12, seed: 32).ToStateContent());
        var model = CommitLogTests.Model.Of(path);
        var random = new Random(32);
        int serial = 0;
        for (int c = 0; c < 24; c++)
        {
            var now = CommitLogTests.Start.AddSeconds(c + 1);
            var change = CommitLogTests.RandomChange(random, model, ref serial, now);
            StateStore.Commit(path, change, new CommitOptions { Now = now, Durable = false, SummarizeLogRecords = 0 });
            model.Apply(change, now);
            if (c == 17) Assert.True(LogSummary.Write(path, TimeSpan.FromSeconds(10)));
        }
        string summary = Path.Combine(path, StateMetadata.Read(path).LogSummary!);
        var original = File.ReadAllBytes(summary);
        var want = model.Rows();

        var rng = new Random(19);
        int rounds = int.TryParse(Environment.GetEnvironmentVariable("CLUSTERSTATE_LOG_FUZZ_ROUNDS"), out int r) ? r : 200;
        for (int round = 0; round < rounds; round++)
        {
            var (bytes, damage) = Damage(original, rng);
            File.WriteAllBytes(summary, bytes);
            ClusterSnapshot.ClearCache();
            using var s = ClusterSnapshot.Open(path);
            Assert.True(s.Generation == 25 && s.LogDamage is null, $"round {round} ({damage}): generation {s.Generation}, {s.LogDamage}");
            CommitLogTests.AssertSame(want, CommitLogTests.Rows(s), $"round {round} ({damage})");
        }
    }

    /// <summary>One random damage of a file: bits flipped, cut short, garbage appended, a range zeroed or overwritten.</summary>
    private static (byte[] Bytes, string Damage) Damage(byte[] original, Random rng)
    {
        int length = original.Length;
        // Inside the published bytes most of the time; beyond them (appended data) otherwise.
        int At(int extra = 0) => rng.Next(4) == 0 ? length + rng.Next(64 + extra) : rng.Next(length);
        switch (rng.Next(6))
        {
            case 0:
            {
                var bytes = (byte[])original.Clone();
                string what = "bits flipped at";
                for (int k = rng.Next(1, 5); k > 0; k--)
                {
                    int at = rng.Next(length);
                    bytes[at] ^= (byte)(1 << rng.Next(8));
                    what += " " + at;
                }
                return (bytes, what);
            }
            case 1:
            {
                int cut = rng.Next(length);
                return (original[..cut], $"cut to {cut} bytes");
            }
            case 2:
            {
                var garbage = new byte[rng.Next(1, 600)];
                rng.NextBytes(garbage);
                return ([.. original, .. garbage], $"{garbage.Length} random bytes appended");
            }
            case 3:
            {
                int at = At(), count = rng.Next(1, 300);
                var bytes = new byte[Math.Max(length, at + count)];
                original.CopyTo(bytes, 0);
                Array.Clear(bytes, at, count);
                return (bytes, $"{count} bytes zeroed at {at}");
            }
            case 4:
            {
                int at = At(), count = rng.Next(1, 300);
                var bytes = new byte[Math.Max(length, at + count)];
                original.CopyTo(bytes, 0);
                rng.NextBytes(bytes.AsSpan(at, count));
                return (bytes, $"{count} random bytes written at {at}");
            }
            default:
            {
                // A torn tail: the end of the published bytes cut and followed by a partial copy of a record.
                int cut = length - rng.Next(1, Math.Min(length, 400));
                int from = rng.Next(length), count = rng.Next(1, 400);
                var tail = original.AsSpan(from, Math.Min(count, length - from)).ToArray();
                return ([.. original[..cut], .. tail], $"cut at {cut}, then {tail.Length} bytes from {from}");
            }
        }
    }
}
