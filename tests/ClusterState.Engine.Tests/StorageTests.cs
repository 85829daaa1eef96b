using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using Xunit;

namespace ClusterState.Engine.Tests;

public sealed class StorageTests
{
    [Fact]
    public void Create_SameSeed_WritesIdenticalSnapshotBytes()
    {
        using var dir = new TempDirectory();
        string a = TestStates.Create(dir, TestStates.Sample(seed: 3), "a");
        string b = TestStates.Create(dir, TestStates.Sample(seed: 3), "b");
        string c = TestStates.Create(dir, TestStates.Sample(seed: 4), "c");
        byte[] Bytes(string p) => File.ReadAllBytes(Path.Combine(p, StateMetadata.Read(p).Snapshot));
        Assert.Equal(Bytes(a), Bytes(b));
        Assert.NotEqual(Bytes(a), Bytes(c));
    }

    [Fact]
    public void Create_SchemaVersion1_HasNoV2FieldsAndReadsThemAsNull()
    {
        using var dir = new TempDirectory();
        var sample = TestStates.Sample(tasks: 300);
        string path = TestStates.Create(dir, sample, schemaVersion: 1);
        using var s = ClusterSnapshot.Open(path);
        Assert.Equal(1, s.SchemaVersion);
        var taskType = (StructType)((ListType)s.Schema.GetFieldByName("tasks").DataType).ValueDataType;
        Assert.Equal(new[] { "id", "type", "status", "created_at", "updated_at", "assigned_to", "resources", "input_cid", "output_cid", "input_cids", "output_cids" },
            taskType.Fields.Select(f => f.Name));
        var tasks = s.FindTasks(new TaskQuery()).Items.ToList();
        Assert.All(tasks, t => Assert.Null(t.StartedAt));
        Assert.All(tasks, t => Assert.Null(t.CompletedAt));
        Assert.Equal(sample.Tasks.Select(t => t.Status), tasks.Select(t => t.Status));
    }

    [Fact]
    public void Create_Version2_SampleHasStartedAndCompletedTimes()
    {
        using var dir = new TempDirectory();
        string path = TestStates.Create(dir, TestStates.Sample(tasks: 1000));
        using var s = ClusterSnapshot.Open(path);
        var tasks = s.FindTasks(new TaskQuery()).Items.ToList();
        Assert.All(tasks.Where(t => t.Status == "completed"), t => Assert.True(t.CompletedAt > t.StartedAt));
        Assert.All(tasks.Where(t => t.Status == "pending"), t => Assert.Null(t.StartedAt));
    }

    [Fact]
    public void Create_ExistingStateWithoutForce_ThrowsStateAlreadyExists()
    {
        using var dir = new TempDirectory();
        string path = TestStates.Create(dir, TestStates.Sample(tasks: 10));
        var e = Assert.Throws<ClusterStateException>(() => StateStore.Create(path, TestStates.Sample(tasks: 10).ToStateContent()));
        Assert.Equal(ErrorIds.StateAlreadyExists, e.ErrorId);
    }

    [Fact]
    public void Create_ForceWhileAReaderHasTheOldSnapshot_ReaderKeepsItsViewAndGenerationAdvances()
    {
        using var dir = new TempDirectory();
        string path = TestStates.Create(dir, TestStates.Sample(tasks: 500, seed: 1));
        using var old = ClusterSnapshot.Open(path);
        var oldIds = old.FindTasks(new TaskQuery()).Items.Select(t => t.Id).ToList();

        StateStore.Create(path, TestStates.Sample(tasks: 50, seed: 2).ToStateContent(), new CreateStateOptions { Force = true });

        using var current = ClusterSnapshot.Open(path);
        Assert.Equal(2, current.Generation);
        Assert.Equal(50, current.TaskCount);
        Assert.Equal(1, old.Generation);
        Assert.Equal(oldIds, old.FindTasks(new TaskQuery()).Items.Select(t => t.Id));
        Assert.Empty(Directory.GetFiles(path, "*.tmp-*"));
    }

    [Fact]
    public void Open_MissingDirectory_ThrowsStateNotFound()
    {
        var e = Assert.Throws<ClusterStateException>(() => ClusterSnapshot.Open("/nonexistent/clusterstate/dir"));
        Assert.Equal(ErrorIds.StateNotFound, e.ErrorId);
        Assert.Equal(ClusterStateErrorKind.NotFound, e.Kind);
    }

    [Fact]
    public void Open_DirectoryWithoutMetadata_ThrowsStateNotFound()
    {
        using var dir = new TempDirectory();
        Assert.Equal(ErrorIds.StateNotFound, Assert.Throws<ClusterStateException>(() => ClusterSnapshot.Open(dir.Path)).ErrorId);
    }

    [Fact]
    public void Open_MetadataPointsToMissingSnapshot_ThrowsSnapshotMissing()
    {
        using var dir = new TempDirectory();
        string path = TestStates.Create(dir, TestStates.Sample(tasks: 10));
        File.Delete(Path.Combine(path, StateMetadata.Read(path).Snapshot));
        var e = Assert.Throws<ClusterStateException>(() => ClusterSnapshot.Open(path));
        Assert.Equal(ErrorIds.SnapshotMissing, e.ErrorId);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.99)]
    [InlineData(0.001)]
    public void Open_TruncatedSnapshot_ThrowsSnapshotCorrupt(double keep)
    {
        using var dir = new TempDirectory();
        string path = TestStates.Create(dir, TestStates.Sample(tasks: 200));
        string file = Path.Combine(path, StateMetadata.Read(path).Snapshot);
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..Math.Max(1, (int)(bytes.Length * keep))]);
        var e = Assert.Throws<ClusterStateException>(() => ClusterSnapshot.Open(path));
        Assert.Equal(ErrorIds.SnapshotCorrupt, e.ErrorId);
        Assert.Equal(ClusterStateErrorKind.InvalidData, e.Kind);
    }

    [Theory]
    [InlineData("")]
    [InlineData("this is not an arrow file, just text")]
    [InlineData("ARROW1\0\0 but then garbage ........................ ARROW1")]
    public void Open_NotArrow_ThrowsSnapshotCorrupt(string content)
    {
        using var dir = new TempDirectory();
        string path = TestStates.Create(dir, TestStates.Sample(tasks: 10));
        File.WriteAllText(Path.Combine(path, StateMetadata.Read(path).Snapshot), content);
        Assert.Equal(ErrorIds.SnapshotCorrupt, Assert.Throws<ClusterStateException>(() => ClusterSnapshot.Open(path)).ErrorId);
    }

    /// <summary>
    /// Damages the snapshot at random — bit flips anywhere after the magic, or an extreme or random
    /// int32 written into a randomly chosen offsets buffer (list, string, entity list) — then reads
    /// every entity and commits on top. Reading either works or fails as a ClusterStateException;
    /// the commit either succeeds (only when the damage did not touch what it reads, and then the
    /// new state opens and validates cleanly) or fails as a ClusterStateException with the
    /// directory unchanged. No other exception type is tolerated. Memory bound: no round may
    /// allocate 1 GiB or more on the test thread, and the process's working set may not grow by
    /// 1 GiB over the loop (a damaged offset once made one commit grow the process to 24 GB).
    /// CLUSTERSTATE_FUZZ_ROUNDS sets the count (200 by default; build.ps1 Fuzz runs 10000).
    /// </summary>
    [Fact]
    public void Open_FlippedBytesInsideTheSnapshot_NeverCrashesOnlyThrowsOrReads()
    {
        const long MemoryBound = 1L << 30;
        using var dir = new TempDirectory();
        string path = TestStates.Create(dir, TestStates.Sample(nodes: 5, tasks: 50, content: 20));
        string snapshotName = StateMetadata.Read(path).Snapshot;
        string file = Path.Combine(path, snapshotName);
        string metadataFile = Path.Combine(path, StateMetadata.FileName);
        var original = File.ReadAllBytes(file);
        var originalMetadata = File.ReadAllBytes(metadataFile);
        var offsetsBuffers = SnapshotDamage.Find(file);
        var rng = new Random(11);
        int rounds = int.TryParse(Environment.GetEnvironmentVariable("CLUSTERSTATE_FUZZ_ROUNDS"), out int r) ? r : 200;
        long workingSetAtStart = Environment.WorkingSet;
        // Clean errors a damaged snapshot may give: damage found (SnapshotCorrupt), a type or field
        // that is no longer the schema's (SchemaMismatch), or a flipped version key in the schema
        // metadata that claims a future version (SchemaVersionUnsupported).
        string[] clean = { ErrorIds.SnapshotCorrupt, ErrorIds.SchemaMismatch, ErrorIds.SchemaVersionUnsupported };
        for (int round = 0; round < rounds; round++)
        {
            var bytes = (byte[])original.Clone();
            string damage;
            if (rng.Next(2) == 0)
            {
                damage = "bits flipped at";
                for (int k = 0; k < 4; k++)
                {
                    int at = 8 + rng.Next(bytes.Length - 16);
                    bytes[at] ^= (byte)(1 << rng.Next(8));
                    damage += " " + at;
                }
            }
            else
            {
                var offsets = offsetsBuffers[rng.Next(offsetsBuffers.Count)];
                int entry = rng.Next(offsets.Values.Length);
                int value = offsets.Values[entry];
                int[] candidates = { int.MaxValue, int.MinValue, -1, 0, value + 1, value - 1, rng.Next(), value + rng.Next(1, 1 << 20), offsets.Values[^1] + 1 };
                int written = candidates[rng.Next(candidates.Length)];
                SnapshotDamage.Write(bytes, offsets, entry, written);
                damage = $"offset {entry} of {offsets.Column} set to {written}";
            }
            // Back to one damaged generation: the original metadata, the damaged snapshot, nothing a commit of an earlier round left.
            ClusterSnapshot.ClearCache();
            StateStore.WaitForCleanup();
            foreach (var f in Directory.GetFiles(path).Where(f => Path.GetFileName(f) is not (StateMetadata.FileName or "state.lock") && f != file)) File.Delete(f);
            File.WriteAllBytes(metadataFile, originalMetadata);
            File.WriteAllBytes(file, bytes);
            long allocated = GC.GetAllocatedBytesForCurrentThread();

            try
            {
                using var s = ClusterSnapshot.Open(path);
                _ = s.FindTasks(new TaskQuery()).Items.Select(t => (t.Id, t.Status, t.InputCids.Length, t.OutputCids.Length, t.Resources)).Count();
                _ = s.FindNodes(new NodeQuery()).Items.Select(n => (n.Id, n.Peers.Length, n.Capabilities.Length, n.Resources)).Count();
                _ = ClusterAnalysis.GetContentMap(s, new ContentQuery()).Items.Count();
            }
            catch (ClusterStateException e)
            {
                Assert.Contains(e.ErrorId, clean);
            }
            long read = GC.GetAllocatedBytesForCurrentThread() - allocated;
            Assert.True(read < MemoryBound, $"round {round} ({damage}): reading allocated {read >> 20} MiB");

            var before = Directory.GetFiles(path).Order(StringComparer.Ordinal).ToArray();
            bool committed = false;
            try
            {
                StateStore.Commit(path, new ChangeSet { AddTasks = { new ClusterTask { Id = $"fuzz-{round}", Status = "pending", InputCids = new[] { "QmFuzz" } } } });
                committed = true;
            }
            catch (ClusterStateException e)
            {
                Assert.Contains(e.ErrorId, clean);
                StateStore.WaitForCleanup();
                Assert.Equal(before, Directory.GetFiles(path).Order(StringComparer.Ordinal).ToArray());
                Assert.Equal(originalMetadata, File.ReadAllBytes(metadataFile));
            }
            if (committed)
            {
                // Accepted only when the new generation is sound.
                ClusterSnapshot.ClearCache();
                using var after = ClusterSnapshot.Open(path);
                after.Data.ValidateAll();
                int found = after.FindTasks(new TaskQuery { Id = new[] { $"fuzz-{round}" } }).Items.Count();
                Assert.True(found == 1, $"round {round} ({damage}): the committed task is found {found} times");
            }
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            Assert.True(allocated < MemoryBound, $"round {round} ({damage}): reading and committing allocated {allocated >> 20} MiB");
            Assert.True(Environment.WorkingSet - workingSetAtStart < MemoryBound, $"round {round} ({damage}): the working set grew by {(Environment.WorkingSet - workingSetAtStart) >> 20} MiB");
        }
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("[1, 2]")]
    [InlineData("{\"cluster_id\": \"c\"}")]
    public void Open_InvalidMetadata_ThrowsMetadataInvalid(string json)
    {
        using var dir = new TempDirectory();
        string path = TestStates.Create(dir, TestStates.Sample(tasks: 10));
        File.WriteAllText(Path.Combine(path, StateMetadata.FileName), json);
        Assert.Equal(ErrorIds.MetadataInvalid, Assert.Throws<ClusterStateException>(() => ClusterSnapshot.Open(path)).ErrorId);
    }

    [Theory]
    [InlineData("../outside.arrow")]
    [InlineData("/etc/passwd")]
    [InlineData("sub/inner.arrow")]
    [InlineData("..")]
    public void Open_SnapshotOutsideTheDirectory_IsRefusedNotFollowed(string snapshot)
    {
        using var dir = new TempDirectory();
        string path = TestStates.Create(dir, TestStates.Sample(tasks: 10));
        string metadataPath = Path.Combine(path, StateMetadata.FileName);
        var json = JsonNode.Parse(File.ReadAllText(metadataPath))!;
        json["snapshot"] = snapshot;
        File.WriteAllText(metadataPath, json.ToJsonString());
        Assert.Equal(ErrorIds.MetadataInvalid, Assert.Throws<ClusterStateException>(() => ClusterSnapshot.Open(path)).ErrorId);
    }

    [Fact]
    public void Open_ArrowFileWithAnotherSchema_ThrowsSchemaMismatch()
    {
        using var dir = new TempDirectory();
        string path = TestStates.Create(dir, TestStates.Sample(tasks: 10));
        var schema = new Apache.Arrow.Schema(new[] { new Field("nodes", Int32Type.Default, true) }, null);
        using (var stream = File.Create(Path.Combine(path, StateMetadata.Read(path).Snapshot)))
        using (var writer = new ArrowFileWriter(stream, schema))
        {
            writer.WriteRecordBatch(new RecordBatch(schema, new IArrowArray[] { new Int32Array.Builder().Append(1).Build() }, 1));
            writer.WriteEnd();
        }
        var e = Assert.Throws<ClusterStateException>(() => ClusterSnapshot.Open(path));
        Assert.Equal(ErrorIds.SchemaMismatch, e.ErrorId);
    }

    [Fact]
    public void Metadata_UnknownKeysWrittenByOthers_ArePreservedOnRewrite()
    {
        using var dir = new TempDirectory();
        string path = TestStates.Create(dir, TestStates.Sample(tasks: 10));
        string metadataPath = Path.Combine(path, StateMetadata.FileName);
        var json = JsonNode.Parse(File.ReadAllText(metadataPath))!;
        json["python_owner"] = "master-1";
        File.WriteAllText(metadataPath, json.ToJsonString());
        var metadata = StateMetadata.Read(path);
        metadata.Generation = 9;
        StateStore.Publish(path, metadata);
        var reread = JsonNode.Parse(File.ReadAllText(metadataPath))!;
        Assert.Equal("master-1", (string?)reread["python_owner"]);
        Assert.Equal(9, (long)reread["generation"]!);
    }

    [Fact]
    public void ExportJson_SampleState_RoundTripsEveryField()
    {
        using var dir = new TempDirectory();
        var sample = TestStates.Sample(nodes: 12, tasks: 300, content: 100);
        string path = TestStates.Create(dir, sample);
        using var s = ClusterSnapshot.Open(path);
        string file = dir.Combine("export.json");
        StateExport.Write(s, file, ExportFormat.Json, overwrite: false);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
        var root = doc.RootElement;
        Assert.Equal(sample.ClusterId, root.GetProperty("cluster_id").GetString());
        Assert.Equal(300, root.GetProperty("tasks").GetArrayLength());
        var expected = sample.Tasks.ElementAt(17);
        var task = root.GetProperty("tasks")[17];
        Assert.Equal(expected.Id, task.GetProperty("id").GetString());
        Assert.Equal(expected.Status, task.GetProperty("status").GetString());
        Assert.Equal(StateExport.FormatTime(expected.CreatedAt!.Value), task.GetProperty("created_at").GetString());
        Assert.Equal(expected.InputCids, task.GetProperty("input_cids").EnumerateArray().Select(e => e.GetString()));
        var node = root.GetProperty("nodes")[3];
        Assert.Equal(sample.Nodes[3].MemoryAvailable, node.GetProperty("resources").GetProperty("memory_available").GetInt64());
        Assert.Equal(sample.Nodes[3].Peers, node.GetProperty("peers").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public void ExportArrow_IsTheSnapshotByteForByte_AndTargetExistsWithoutOverwriteThrows()
    {
        using var dir = new TempDirectory();
        string path = TestStates.Create(dir, TestStates.Sample(tasks: 100));
        using var s = ClusterSnapshot.Open(path);
        string file = dir.Combine("export.arrow");
        StateExport.Write(s, file, ExportFormat.Arrow, overwrite: false);
        Assert.Equal(File.ReadAllBytes(s.SnapshotPath), File.ReadAllBytes(file));
        var e = Assert.Throws<ClusterStateException>(() => StateExport.Write(s, file, ExportFormat.Arrow, overwrite: false));
        Assert.Equal(ErrorIds.ExportTargetExists, e.ErrorId);
        using var reopened = ClusterSnapshot.OpenFile(file);
        Assert.Equal(100, reopened.TaskCount);
    }

    [Fact]
    public void AtomicFile_write_behind_keeps_every_byte_in_order_across_many_steps()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("big.bin");
        var random = new Random(7);
        var chunks = Enumerable.Range(0, 40).Select(i => { var b = new byte[random.Next(1, 6 << 20)]; random.NextBytes(b); return b; }).ToList();
        ClusterState.Storage.AtomicFile.Write(path, stream =>
        {
            for (int i = 0; i < chunks.Count; i++)
            {
                if (i % 2 == 0) stream.Write(chunks[i]);
                else stream.WriteAsync(chunks[i], 0, chunks[i].Length).GetAwaiter().GetResult();
            }
        }, durable: true, "test file", writeBehind: true);
        var expected = chunks.SelectMany(c => c).ToArray();
        Assert.True(expected.Length > 64 << 20, "long enough for several write-back steps");
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(expected), System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp-*"));
    }
}
