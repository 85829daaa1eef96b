using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using ClusterState.Schema;
using ClusterState.Storage;
using Xunit;

namespace ClusterState.Engine.Tests;

/// <summary>Damaged state files (issue 13): every damage is a ClusterStateException, reads of other columns go on, commits write nothing.</summary>
public sealed class DamageTests
{
    /// <summary>Bound on what one refused commit may allocate (the damage once made a commit grow the process to 24 GB).</summary>
    private const long CommitAllocationBound = 500L << 20;

    private static (string Path, string File) CreateState(TempDirectory dir)
    {
        string path = TestStates.Create(dir, TestStates.Sample(nodes: 6, tasks: 60, content: 20));
        return (path, Path.Combine(path, StateMetadata.Read(path).Snapshot));
    }

    /// <summary>Writes one damage into the offsets of <paramref name="column"/>; kinds: huge (0x7fffffff inside), decreasing, negative (first entry), past-data (last entry past the values).</summary>
    private static void Damage(string file, string column, string kind)
    {
        var offsets = SnapshotDamage.Find(file, column);
        var bytes = File.ReadAllBytes(file);
        int middle = Enumerable.Range(1, offsets.Last - 1).First(i => offsets.Values[i - 1] > 0 && i >= offsets.Last / 2);
        switch (kind)
        {
            case "huge": SnapshotDamage.Write(bytes, offsets, middle, 0x7fffffff); break;
            case "decreasing": SnapshotDamage.Write(bytes, offsets, middle, offsets.Values[middle - 1] - 1); break;
            case "negative": SnapshotDamage.Write(bytes, offsets, 0, -4); break;
            case "past-data": SnapshotDamage.Write(bytes, offsets, offsets.Last, offsets.Values[^1] + 4096); break;
            default: throw new ArgumentException(kind);
        }
        ClusterSnapshot.ClearCache();
        File.WriteAllBytes(file, bytes);
    }

    public static TheoryData<string, string> Damages() => new()
    {
        { "tasks.input_cids", "huge" },
        { "tasks.input_cids", "decreasing" },
        { "tasks.input_cids", "negative" },
        { "tasks.input_cids", "past-data" },
        { "tasks.input_cids[]", "huge" },
        { "tasks.input_cids[]", "decreasing" },
        { "tasks.id", "huge" },
        { "tasks.id", "decreasing" },
        { "tasks.id", "negative" },
        { "tasks.id", "past-data" },
        { "tasks.status", "past-data" },
        { "tasks.output_cids", "past-data" },
    };

    [Theory]
    [MemberData(nameof(Damages))]
    public void Read_DamagedOffsets_ThatColumnIsSnapshotCorrupt_OtherColumnsRead(string column, string kind)
    {
        using var dir = new TempDirectory();
        var (path, file) = CreateState(dir);
        Damage(file, column, kind);

        using var s = ClusterSnapshot.Open(path);
        var e = Assert.Throws<ClusterStateException>(() =>
        {
            for (int i = 0; i < s.Tasks.Count; i++) _ = s.Tasks.Read(i);
        });
        Assert.Equal(ErrorIds.SnapshotCorrupt, e.ErrorId);
        Assert.Equal(ClusterStateErrorKind.InvalidData, e.Kind);
        Assert.Contains(column.TrimEnd('[', ']'), e.Message, StringComparison.Ordinal);
        // The same failure every time (the guard does not remember a half-done check as success).
        Assert.Equal(ErrorIds.SnapshotCorrupt, Assert.Throws<ClusterStateException>(() => s.FindTasks(new TaskQuery()).Items.Select(t => (t.Id, t.InputCids.Length, t.OutputCids.Length, t.Status)).ToList()).ErrorId);

        // Undamaged columns of the same entity, and the other entities, read in full.
        var other = column == "tasks.status" ? s.Tasks.Type : s.Tasks.Status;
        for (int i = 0; i < s.Tasks.Count; i++) Assert.NotNull(other.Get(i));
        Assert.Equal(6, s.FindNodes(new NodeQuery()).Items.Select(n => n.Peers.Length + n.Id.Length).Count());
        Assert.Equal(20, s.FindContent(new ContentQuery()).Items.Select(c => c.Providers.Length + c.Cid.Length).Count());
    }

    [Theory]
    [InlineData("huge")]
    [InlineData("decreasing")]
    [InlineData("negative")]
    [InlineData("past-data")]
    public void Open_ALogOverABaseWithDamagedIds_IsSnapshotCorrupt_NamingTheColumn(string kind)
    {
        // The merge checks each log row's base row by that row's bounds alone (StringColumn.Holds);
        // a row whose bounds do not fit must still end in the column's SnapshotCorrupt, never in a
        // raw exception or a merge that reads past the damage.
        using var dir = new TempDirectory();
        var (path, file) = CreateState(dir);
        string[] ids;
        using (var s = ClusterSnapshot.Open(path)) ids = s.FindTasks(new TaskQuery()).Items.Select(t => t.Id).ToArray();
        StateStore.Commit(path, new ChangeSet { UpdateTasks = ids.Select(id => new TaskUpdate { Id = id, MemoryMB = 4321 }).ToList() }, new CommitOptions { Durable = false });
        Damage(file, "tasks.id", kind);

        var e = Assert.Throws<ClusterStateException>(() =>
        {
            using var s = ClusterSnapshot.Open(path);
            _ = s.FindTasks(new TaskQuery()).Items.Select(t => t.Id).ToList();
        });
        Assert.Equal(ErrorIds.SnapshotCorrupt, e.ErrorId);
        Assert.Contains("tasks.id", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Damages))]
    [InlineData("nodes.peers", "huge")]
    [InlineData("content.providers", "decreasing")]
    public void Commit_OnDamagedOffsets_IsSnapshotCorruptAndWritesNothing(string column, string kind)
    {
        using var dir = new TempDirectory();
        var (path, file) = CreateState(dir);
        Damage(file, column, kind);
        var before = SnapshotDamage.Contents(path);

        long allocated = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ClusterStateException>(() => StateStore.Commit(path, new ChangeSet
        {
            AddTasks = { new ClusterTask { Id = "added-on-damage", Status = "pending", InputCids = new[] { "QmA" } } },
        }));
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;

        Assert.Equal(ErrorIds.SnapshotCorrupt, e.ErrorId);
        Assert.True(allocated < CommitAllocationBound, $"the refused commit allocated {allocated >> 20} MiB");
        StateStore.WaitForCleanup();
        SnapshotDamage.AssertSameContents(before, SnapshotDamage.Contents(path));
    }

    [Fact]
    public void Commit_PlanReadingDamagedRows_GetsSnapshotCorruptNotARawException()
    {
        using var dir = new TempDirectory();
        var (path, file) = CreateState(dir);
        Damage(file, "tasks.input_cids", "huge");
        var before = SnapshotDamage.Contents(path);
        bool planned = false;
        var e = Assert.Throws<ClusterStateException>(() => StateStore.Commit(path, s =>
        {
            planned = true;
            return new ChangeSet { UpdateTasks = { new TaskUpdate { Id = s.FindTasks(new TaskQuery()).Items.First().Id, Status = "running" } } };
        }));
        Assert.Equal(ErrorIds.SnapshotCorrupt, e.ErrorId);
        Assert.False(planned, "the commit validated the snapshot before planning on it");
        SnapshotDamage.AssertSameContents(before, SnapshotDamage.Contents(path));
    }

    [Fact]
    public void Open_DamagedEntityListOffset_IsSnapshotCorruptOnOpen()
    {
        using var dir = new TempDirectory();
        var (path, file) = CreateState(dir);
        var offsets = SnapshotDamage.Find(file, "tasks");
        var bytes = File.ReadAllBytes(file);
        SnapshotDamage.Write(bytes, offsets, 1, 0x7fffffff);
        File.WriteAllBytes(file, bytes);
        Assert.Equal(ErrorIds.SnapshotCorrupt, Assert.Throws<ClusterStateException>(() => ClusterSnapshot.Open(path)).ErrorId);
    }

    [Fact]
    public void Open_StaysLazy_ValidationHappensOnFirstUseOfTheColumn()
    {
        using var dir = new TempDirectory();
        var (path, file) = CreateState(dir);
        Damage(file, "tasks.output_cids", "huge");
        using var s = ClusterSnapshot.Open(path); // no column is validated on open
        Assert.Equal(60, s.TaskCount);
        Assert.NotNull(s.Tasks.Id.Get(0));
        Assert.Equal(ErrorIds.SnapshotCorrupt, Assert.Throws<ClusterStateException>(() => s.Tasks.OutputCids.Get(0)).ErrorId);
        Assert.Equal(ErrorIds.SnapshotCorrupt, Assert.Throws<ClusterStateException>(() => s.Data.ValidateAll()).ErrorId);
    }

    [Fact]
    public void Commit_OnAListWhoseOffsetsDoNotStartAtZero_IsRefusedNotWrittenBackDamaged()
    {
        // Legal Arrow (content = items 1..19 of 20), read as such; but Apache.Arrow C#'s writer would
        // write it back with its values cut and its offsets kept, so a commit must not carry it over.
        using var dir = new TempDirectory();
        var (path, file) = CreateState(dir);
        var offsets = SnapshotDamage.Find(file, "content");
        var bytes = File.ReadAllBytes(file);
        SnapshotDamage.Write(bytes, offsets, 0, 1);
        File.WriteAllBytes(file, bytes);
        ClusterSnapshot.ClearCache();
        using (var s = ClusterSnapshot.Open(path)) Assert.Equal(19, s.FindContent(new ContentQuery()).Items.Count());
        var before = SnapshotDamage.Contents(path);
        var e = Assert.Throws<ClusterStateException>(() => StateStore.Commit(path, new ChangeSet { AddTasks = { new ClusterTask { Id = "t-new" } } }));
        Assert.Equal(ErrorIds.SnapshotCorrupt, e.ErrorId);
        SnapshotDamage.AssertSameContents(before, SnapshotDamage.Contents(path));
    }

    [Fact]
    public void Read_TimestampOutsideDateTime_IsSnapshotCorrupt()
    {
        using var dir = new TempDirectory();
        var (path, file) = CreateState(dir);
        int values = SnapshotDamage.BufferPosition(file, "tasks.created_at", 1);
        var bytes = File.ReadAllBytes(file);
        // 5e14 ms is after the year 9999 (and small enough that Arrow's ms-to-ticks product does not wrap).
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(values), 500_000_000_000_000);
        File.WriteAllBytes(file, bytes);
        ClusterSnapshot.ClearCache();
        using var s = ClusterSnapshot.Open(path);
        var e = Assert.Throws<ClusterStateException>(() => s.FindTasks(new TaskQuery()).Items.Select(t => t.CreatedAt).ToList());
        Assert.Equal(ErrorIds.SnapshotCorrupt, e.ErrorId);
        Assert.Contains("tasks.created_at", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_SchemaMessageWithAHugeVectorCount_IsSnapshotCorruptWithoutAllocatingIt()
    {
        using var dir = new TempDirectory();
        var (path, file) = CreateState(dir);
        var bytes = File.ReadAllBytes(file);
        int count = SnapshotDamage.SchemaFieldsCountPosition(bytes);
        using (var s = ClusterSnapshot.OpenFile(file)) Assert.Equal(s.RecordBatch.ColumnCount, System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(count)));
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(count), 0x0fffffff);
        File.WriteAllBytes(file, bytes);
        ClusterSnapshot.ClearCache();
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(ErrorIds.SnapshotCorrupt, Assert.Throws<ClusterStateException>(() => ClusterSnapshot.Open(path)).ErrorId);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - allocated < 64 << 20);
    }

    [Fact]
    public void Open_TasksWithoutTheirIdField_IsSchemaMismatch()
    {
        using var dir = new TempDirectory();
        var (path, file) = CreateState(dir);
        string copy = dir.Combine("no-id.arrow");
        using (var s = ClusterSnapshot.OpenFile(file))
        {
            var batch = s.RecordBatch;
            int t = batch.Schema.GetFieldIndex("tasks");
            var list = (ListArray)batch.Column(t);
            var items = (StructArray)list.Values;
            var itemType = (StructType)items.Data.DataType;
            int id = itemType.GetFieldIndex("id");
            var fields = itemType.Fields.Where((_, i) => i != id).ToList();
            var children = items.Fields.Where((_, i) => i != id).ToList();
            var newItems = new StructArray(new StructType(fields), items.Length, children, ArrowBuffer.Empty, 0);
            var newList = new ListArray(new ListType(new Field("item", newItems.Data.DataType, true)), 1, list.ValueOffsetsBuffer, newItems, ArrowBuffer.Empty, 0);
            var schemaFields = batch.Schema.FieldsList.Select((f, i) => i == t ? new Field("tasks", newList.Data.DataType, true) : f).ToList();
            var arrays = Enumerable.Range(0, batch.ColumnCount).Select(i => i == t ? newList : batch.Column(i)).ToList();
            WriteArrowFile(copy, new RecordBatch(new Apache.Arrow.Schema(schemaFields, batch.Schema.Metadata), arrays, 1));
        }
        File.Copy(copy, file, overwrite: true);
        ClusterSnapshot.ClearCache();
        var e = Assert.Throws<ClusterStateException>(() => ClusterSnapshot.Open(path));
        Assert.Equal(ErrorIds.SchemaMismatch, e.ErrorId);
        Assert.Contains("'id'", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> ShortBuffers() => new() { "values", "bitmap", "struct-child", "offsets", "bool-values", "timestamp-values", "list-child" };

    [Theory]
    [MemberData(nameof(ShortBuffers))]
    public void Validate_BuffersShorterThanTheArray_AreSnapshotCorrupt(string what)
    {
        static ArrowBuffer Bytes(int n) => new(new byte[n]);
        IArrowArray array = what switch
        {
            // 10 int32 values need 40 bytes; 10 values need a 2-byte bitmap; 10 strings need 44 bytes of offsets.
            "values" => new Int32Array(new ArrayData(Int32Type.Default, 10, 0, 0, new[] { ArrowBuffer.Empty, Bytes(8) })),
            "bitmap" => new Int32Array(new ArrayData(Int32Type.Default, 10, 1, 0, new[] { Bytes(1), Bytes(40) })),
            "offsets" => new StringArray(new ArrayData(StringType.Default, 10, 0, 0, new[] { ArrowBuffer.Empty, Bytes(20), Bytes(0) })),
            "bool-values" => new BooleanArray(new ArrayData(BooleanType.Default, 10, 0, 0, new[] { ArrowBuffer.Empty, Bytes(1) })),
            "timestamp-values" => new TimestampArray(new ArrayData(ClusterSchema.Timestamp, 10, 0, 0, new[] { ArrowBuffer.Empty, Bytes(72) })),
            // Offsets 0..10 step 1 into a child of 5 strings.
            "list-child" => new ListArray(new ArrayData(new ListType(StringType.Default), 10, 0, 0,
                new[] { ArrowBuffer.Empty, new ArrowBuffer.Builder<int>().AppendRange(Enumerable.Range(0, 11)).Build() },
                new[] { new StringArray.Builder().AppendRange(new[] { "a", "b", "c", "d", "e" }).Build().Data })),
            _ => new StructArray(new StructType(new[] { new Field("x", Int32Type.Default, true) }), 10,
                new IArrowArray[] { new Int32Array.Builder().Append(1).Build() }, ArrowBuffer.Empty, 0),
        };
        var e = Assert.Throws<ClusterStateException>(() => ArrayValidation.Validate(array, 10, "c"));
        Assert.Equal(ErrorIds.SnapshotCorrupt, e.ErrorId);
    }

    [Fact]
    public void Open_ValidArrowFileOfAnUnrelatedSchema_IsSchemaMismatch()
    {
        using var dir = new TempDirectory();
        var (path, file) = CreateState(dir);
        var schema = new Apache.Arrow.Schema(new[] { new Field("x", Int32Type.Default, true) }, null);
        WriteArrowFile(file, new RecordBatch(schema, new IArrowArray[] { new Int32Array.Builder().Append(1).Build() }, 1));
        Assert.Equal(ErrorIds.SchemaMismatch, Assert.Throws<ClusterStateException>(() => ClusterSnapshot.Open(path)).ErrorId);
        Assert.Equal(ErrorIds.SchemaMismatch, Assert.Throws<ClusterStateException>(() => ClusterSnapshot.OpenFile(file)).ErrorId);
    }

    [Fact]
    public void Open_ValidArrowFileWithTasksButNoNodes_IsSchemaMismatch()
    {
        using var dir = new TempDirectory();
        var (path, file) = CreateState(dir);
        string copy = dir.Combine("tasks-only.arrow");
        using (var s = ClusterSnapshot.OpenFile(file))
        {
            int index = s.Schema.GetFieldIndex("tasks");
            var schema = new Apache.Arrow.Schema(new[] { s.Schema.FieldsList[index] }, null);
            WriteArrowFile(copy, new RecordBatch(schema, new[] { s.RecordBatch.Column(index) }, 1));
        }
        File.Copy(copy, file, overwrite: true);
        ClusterSnapshot.ClearCache();
        var e = Assert.Throws<ClusterStateException>(() => ClusterSnapshot.Open(path));
        Assert.Equal(ErrorIds.SchemaMismatch, e.ErrorId);
        Assert.Contains("nodes", e.Message, StringComparison.Ordinal);
    }

    private static void WriteArrowFile(string file, RecordBatch batch)
    {
        using var stream = File.Create(file);
        using var writer = new ArrowFileWriter(stream, batch.Schema);
        writer.WriteRecordBatch(batch);
        writer.WriteEnd();
    }

    private static void MakeFifo(string path)
    {
        using var process = System.Diagnostics.Process.Start("mkfifo", new[] { path });
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    [Fact]
    public async Task Open_SnapshotThatIsAFifo_IsSnapshotCorruptWithoutBlocking()
    {
        if (OperatingSystem.IsWindows()) return;
        using var dir = new TempDirectory();
        var (path, _) = CreateState(dir);
        MakeFifo(Path.Combine(path, "fifo.arrow"));
        PointMetadataAt(path, "fifo.arrow");
        // Opening a FIFO for reading blocks until a writer comes: run it aside and give up waiting.
        var open = Task.Run(() => ClusterSnapshot.Open(path).Dispose());
        var first = await Task.WhenAny(open, Task.Delay(TimeSpan.FromSeconds(20)));
        Assert.True(first == open, "opening a FIFO snapshot blocked");
        var e = await Assert.ThrowsAsync<ClusterStateException>(() => open);
        Assert.Equal(ErrorIds.SnapshotCorrupt, e.ErrorId);
    }

    [Fact]
    public void Open_SnapshotThatIsASymlinkLeavingTheDirectory_IsRefused()
    {
        if (OperatingSystem.IsWindows()) return;
        using var dir = new TempDirectory();
        var (path, file) = CreateState(dir);
        string outside = dir.Combine("outside.arrow");
        File.Copy(file, outside);
        File.CreateSymbolicLink(Path.Combine(path, "link.arrow"), outside);
        PointMetadataAt(path, "link.arrow");
        Assert.Equal(ErrorIds.SnapshotCorrupt, Assert.Throws<ClusterStateException>(() => ClusterSnapshot.Open(path)).ErrorId);
        // A file the caller names itself may be a link.
        using var direct = ClusterSnapshot.OpenFile(Path.Combine(path, "link.arrow"));
        Assert.Equal(60, direct.TaskCount);
    }

    private static void PointMetadataAt(string path, string snapshot)
    {
        string metadataPath = Path.Combine(path, StateMetadata.FileName);
        var json = JsonNode.Parse(File.ReadAllText(metadataPath))!;
        json["snapshot"] = snapshot;
        File.WriteAllText(metadataPath, json.ToJsonString());
        ClusterSnapshot.ClearCache();
    }

    private static void SetMetadataKey(string path, string key, JsonNode? value)
    {
        string metadataPath = Path.Combine(path, StateMetadata.FileName);
        var json = JsonNode.Parse(File.ReadAllText(metadataPath))!;
        json[key] = value;
        File.WriteAllText(metadataPath, json.ToJsonString());
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)]
    [InlineData(StateMetadata.MaxGeneration + 1)]
    public void Read_GenerationOutsideItsRange_IsMetadataInvalid(long generation)
    {
        using var dir = new TempDirectory();
        var (path, _) = CreateState(dir);
        SetMetadataKey(path, "generation", generation);
        Assert.Equal(ErrorIds.MetadataInvalid, Assert.Throws<ClusterStateException>(() => StateMetadata.Read(path)).ErrorId);
        var before = SnapshotDamage.Contents(path);
        Assert.Equal(ErrorIds.MetadataInvalid, Assert.Throws<ClusterStateException>(() =>
            StateStore.Commit(path, new ChangeSet { AddTasks = { new ClusterTask { Id = "t-new" } } })).ErrorId);
        SnapshotDamage.AssertSameContents(before, SnapshotDamage.Contents(path));
    }

    [Fact]
    public void Read_MetadataLargerThanItsBound_IsMetadataInvalid_AndNothingIsWritten()
    {
        using var dir = new TempDirectory();
        var (path, _) = CreateState(dir);
        string file = Path.Combine(path, StateMetadata.FileName);
        // Valid JSON that only its size makes wrong: the bound, not the parser, refuses it.
        string json = File.ReadAllText(file).TrimEnd();
        File.WriteAllText(file, json[..^1] + ", \"padding\": \"" + new string('x', StateMetadata.MaxFileBytes) + "\"}");
        var e = Assert.Throws<ClusterStateException>(() => StateMetadata.Read(path));
        Assert.Equal(ErrorIds.MetadataInvalid, e.ErrorId);
        Assert.Contains("more than state metadata can", e.Message, StringComparison.Ordinal);
        var before = SnapshotDamage.Contents(path);
        Assert.Equal(ErrorIds.MetadataInvalid, Assert.Throws<ClusterStateException>(() =>
            StateStore.Commit(path, new ChangeSet { AddTasks = { new ClusterTask { Id = "t-new" } } })).ErrorId);
        SnapshotDamage.AssertSameContents(before, SnapshotDamage.Contents(path));
    }

    [Fact]
    public void Commit_AtTheMaximumGeneration_FailsCleanly()
    {
        using var dir = new TempDirectory();
        var (path, _) = CreateState(dir);
        SetMetadataKey(path, "generation", StateMetadata.MaxGeneration);
        Assert.Equal(StateMetadata.MaxGeneration, StateMetadata.Read(path).Generation);
        var before = SnapshotDamage.Contents(path);
        var e = Assert.Throws<ClusterStateException>(() => StateStore.Commit(path, new ChangeSet { AddTasks = { new ClusterTask { Id = "t-new" } } }));
        Assert.Equal(ErrorIds.MetadataInvalid, e.ErrorId);
        SnapshotDamage.AssertSameContents(before, SnapshotDamage.Contents(path));
        Assert.DoesNotContain(Directory.GetFiles(path), f => f.Contains("snapshot_-", StringComparison.Ordinal));
    }

    public static TheoryData<string, string> OddMetadataValues()
    {
        var data = new TheoryData<string, string>();
        string[] notStrings = { "5", "1.5", "true", "null", "[]", "{}", "99999999999999999999999" };
        string[] notIntegers = { "1.5", "true", "null", "[]", "{}", "\"not-a-number\"", "\"\"", "99999999999999999999999", "\"99999999999999999999999\"" };
        foreach (var key in new[] { "cluster_id", "master_id", "snapshot", "updated_at" })
        {
            foreach (var value in notStrings) data.Add(key, value);
        }
        data.Add("snapshot", "\"\"");
        data.Add("updated_at", "\"not-a-time\"");
        foreach (var key in new[] { "schema_version", "generation" })
        {
            foreach (var value in notIntegers) data.Add(key, value);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(OddMetadataValues))]
    public void Read_MetadataKeyOfAnOddType_IsMetadataInvalid(string key, string value)
    {
        using var dir = new TempDirectory();
        var (path, _) = CreateState(dir);
        SetMetadataKey(path, key, JsonNode.Parse(value));
        Assert.Equal(ErrorIds.MetadataInvalid, Assert.Throws<ClusterStateException>(() => StateMetadata.Read(path)).ErrorId);
        Assert.Equal(ErrorIds.MetadataInvalid, Assert.Throws<ClusterStateException>(() => ClusterSnapshot.Open(path)).ErrorId);
    }

    [Fact]
    public void Read_MetadataWithADuplicateKey_IsMetadataInvalid()
    {
        using var dir = new TempDirectory();
        var (path, _) = CreateState(dir);
        string metadataPath = Path.Combine(path, StateMetadata.FileName);
        string text = File.ReadAllText(metadataPath).TrimEnd().TrimEnd('}') + ", \"generation\": 7 }";
        File.WriteAllText(metadataPath, text);
        Assert.Equal(ErrorIds.MetadataInvalid, Assert.Throws<ClusterStateException>(() => StateMetadata.Read(path)).ErrorId);
        Assert.Equal(ErrorIds.MetadataInvalid, Assert.Throws<ClusterStateException>(() => StateMetadata.Parse(System.Text.Encoding.UTF8.GetBytes(text), "server")).ErrorId);
    }

    [Fact]
    public void Commit_LockFileThatIsADirectory_SaysSoClearly()
    {
        using var dir = new TempDirectory();
        var (path, _) = CreateState(dir);
        string lockPath = Path.Combine(path, WriterLock.FileName);
        if (File.Exists(lockPath)) File.Delete(lockPath);
        Directory.CreateDirectory(lockPath);
        var e = Assert.Throws<ClusterStateException>(() => StateStore.Commit(path, new ChangeSet { AddTasks = { new ClusterTask { Id = "t-new" } } },
            new CommitOptions { LockTimeout = TimeSpan.FromSeconds(5) }));
        Assert.Equal(ErrorIds.WriteFailed, e.ErrorId);
        Assert.Contains("not a regular file", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Commit_WhoseMetadataWriteFails_LeavesNoSnapshotAndNoChange()
    {
        using var dir = new TempDirectory();
        var (path, _) = CreateState(dir);
        StateStore.Commit(path, new ChangeSet { AddTasks = { new ClusterTask { Id = "t-first" } } });
        StateStore.WaitForCleanup();
        var before = SnapshotDamage.Contents(path);
        long generation = StateMetadata.Read(path).Generation;
        string full = Path.GetFullPath(path);
        StateStore.MetadataWriteFault = d => { if (d == full) throw new IOException("No space left on device"); };
        try
        {
            var e = Assert.Throws<ClusterStateException>(() => StateStore.Commit(path, new ChangeSet { AddTasks = { new ClusterTask { Id = "t-lost" } } }));
            Assert.Equal(ErrorIds.WriteFailed, e.ErrorId);
        }
        finally
        {
            StateStore.MetadataWriteFault = null;
        }
        StateStore.WaitForCleanup();
        Assert.False(File.Exists(Path.Combine(path, StateStore.SnapshotFileName(generation + 1))));
        SnapshotDamage.AssertSameContents(before, SnapshotDamage.Contents(path));
        using (var feed = new ChangeFeed(path)) Assert.Empty(feed.Between(generation, generation + 1));
        // The next commit makes that generation for real.
        Assert.Equal(generation + 1, StateStore.Commit(path, new ChangeSet { AddTasks = { new ClusterTask { Id = "t-lost" } } }).Generation);
    }
}
