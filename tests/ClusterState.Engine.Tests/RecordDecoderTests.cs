using System;
using System.IO;
using System.Linq;
using ClusterState.Schema;
using ClusterState.Storage;
using Xunit;

namespace ClusterState.Engine.Tests;

/// <summary>
/// The process's record decoder: a record read again (a peek, an open under the lock, a
/// publication) is decoded once; the cache is keyed by the bytes, never by where they lie; and
/// a record Arrow cannot decode is SnapshotCorrupt without spoiling the records after it.
/// </summary>
public class RecordDecoderTests
{
    /// <summary>A state with <paramref name="memory"/>.Length commits, each setting the same task's MemoryMB: its log's bytes, the header's length and each record's place.</summary>
    private static (TempDirectory Dir, string Log, byte[] Bytes, System.Collections.Generic.List<(int Start, int Length)> Records) Logged(params int[] memory)
    {
        var dir = new TempDirectory();
        string path = dir.Combine("s");
        StateStore.Create(path, TestStates.Sample(nodes: 4, tasks: 20, content: 8, seed: 21).ToStateContent());
        string id;
        using (var s = ClusterSnapshot.Open(path)) id = s.Tasks.Read(s.Tasks.Rows.ToArray()[3]).Id;
        // Each at its own time: every record then changes the same fields (resources, updated_at) and has the same shape.
        for (int i = 0; i < memory.Length; i++)
            StateStore.Commit(path, new ChangeSet { UpdateTasks = { new TaskUpdate { Id = id, MemoryMB = memory[i] } } },
                new CommitOptions { Now = CommitLogTests.Start.AddSeconds(i + 1), Durable = false });
        string log = Path.Combine(path, StateMetadata.Read(path).Log!);
        var bytes = File.ReadAllBytes(log);
        return (dir, log, bytes, CommitLogTests.Records(bytes));
    }

    private static long? MemoryOf(CommitRecord record)
    {
        var tasks = (TaskColumns)record.Rows(1);
        return tasks.Read(tasks.Rows.ToArray().Single()).MemoryMB;
    }

    [Fact]
    public void ARecordReadAgain_IsDecodedOnce_AndReadsTheSame()
    {
        var (dir, log, bytes, records) = Logged(1000, 2000, 3000);
        using var _ = dir;
        var header = bytes.AsMemory(0, records[0].Start);
        // Two reads of the tail from different buffers (as two opens read the file twice).
        var first = CommitLog.ReadTail(header, bytes.AsMemory(records[0].Start), log);
        var second = CommitLog.ReadTail(header, ((byte[])bytes.Clone()).AsMemory(records[0].Start), log);
        Assert.Equal(3, first.Records.Count);
        Assert.Null(first.Damage);
        Assert.Equal(bytes.Length - records[0].Start, first.Length);
        for (int i = 0; i < 3; i++) Assert.Same(first.Records[i], second.Records[i]);
        Assert.Equal(new long?[] { 1000, 2000, 3000 }, first.Records.Select(MemoryOf));
        // The whole-log read decodes on its own and agrees.
        var full = CommitLog.Read(bytes, log);
        Assert.Equal(first.Records.Select(r => r.Generation), full.Records.ToArray().Select(r => r.Generation));
        Assert.Equal(first.Records.Select(MemoryOf), full.Records.ToArray().Select(MemoryOf));
    }

    [Fact]
    public void ADifferentRecordWithTheSameKey_IsDecodedFromItsOwnBytes()
    {
        // A record withdrawn after a failed publication is replaced at the same place by another of the same shape.
        var (dir, log, bytes, records) = Logged(1111, 2222);
        using var _ = dir;
        Assert.Equal(records[0].Length, records[1].Length);
        var decoder = RecordDecoder.For(bytes.AsMemory(0, records[0].Start));
        var a = decoder.Decode(bytes.AsMemory(records[0].Start, records[0].Length), checksum: 7, log);
        var b = decoder.Decode(bytes.AsMemory(records[1].Start, records[1].Length), checksum: 7, log);
        Assert.Equal(1111, MemoryOf(a));
        Assert.Equal(2222, MemoryOf(b));
        Assert.Same(a, decoder.Decode(bytes.AsMemory(records[0].Start, records[0].Length), checksum: 7, log));
    }

    [Fact]
    public void ARecordThatDoesNotDecode_IsSnapshotCorrupt_AndTheNextRecordStillDecodes()
    {
        var (dir, log, bytes, records) = Logged(4000, 5000);
        using var _ = dir;
        var decoder = RecordDecoder.For(bytes.AsMemory(0, records[0].Start));
        Assert.True(IpcLayout.TryReadMessage(bytes.AsSpan(records[0].Start), out var message));
        // Damage that a checksum would have caught, handed over as if it had passed: the message's metadata scrambled.
        var damaged = bytes.AsSpan(records[0].Start, records[0].Length).ToArray();
        for (int i = 8; i < message.BodyStart - 8; i++) damaged[i] ^= 0x5A;
        var e = Assert.Throws<ClusterStateException>(() => decoder.Decode(damaged, checksum: 1, log));
        Assert.Equal(ErrorIds.SnapshotCorrupt, e.ErrorId);
        Assert.Contains(log, e.Message);
        // A message cut short leaves the reader mid-message; the next record must not read on from there.
        Assert.Throws<ClusterStateException>(() => decoder.Decode(bytes.AsMemory(records[0].Start, records[0].Length / 2), checksum: 2, log));
        Assert.Equal(5000, MemoryOf(decoder.Decode(bytes.AsMemory(records[1].Start, records[1].Length), checksum: 3, log)));
        Assert.Equal(4000, MemoryOf(decoder.Decode(bytes.AsMemory(records[0].Start, records[0].Length), checksum: 4, log)));
    }

    [Fact]
    public void ATailWithATornRecord_DecodesTheWholeOnes_AndSaysWhereItStopped()
    {
        var (dir, log, bytes, records) = Logged(6000, 7000);
        using var _ = dir;
        var header = bytes.AsMemory(0, records[0].Start);
        var torn = bytes.AsMemory(records[0].Start, records[0].Length + records[1].Length / 3);
        var (read, length, damage) = CommitLog.ReadTail(header, torn, log);
        Assert.Single(read);
        Assert.Equal(records[0].Length, length);
        Assert.NotNull(damage);
        Assert.Equal(6000, MemoryOf(read[0]));
    }

    [Fact]
    public void RecordsSerialisedAgain_AreTheBytesTheLogHolds_ThroughTheKeptWriterAndAFreshOne()
    {
        // Records of random commits (adds, updates, removals of every entity: shapes and sizes
        // differ) through the schema's kept writer, a large one between small ones: each equal to
        // what its commit wrote, and to what a writer made for it alone writes.
        var (dir, _, _, bytes, records) = CommitLogTests.Logged(seed: 5, commits: 12);
        using var _ = dir;
        Assert.True(records.Select(r => r.Length).Distinct().Count() > 3, "records of several sizes");
        var header = bytes.AsSpan(0, records[0].Start).ToArray();
        foreach (var (start, length) in records.Concat(records.AsEnumerable().Reverse()))
        {
            var message = bytes.AsSpan(start, length).ToArray();
            using var reader = new Apache.Arrow.Ipc.ArrowStreamReader(header.Concat(message).ToArray());
            var batch = reader.ReadNextRecordBatch();
            Assert.Equal(message, CommitLog.Serialize(batch));
            using var stream = new MemoryStream();
            using (var fresh = new Apache.Arrow.Ipc.ArrowStreamWriter(stream, batch.Schema, leaveOpen: true)) fresh.WriteRecordBatch(batch);
            Assert.Equal(message, stream.ToArray()[^length..]);
        }
    }

    [Fact]
    public void RecordsOfOneLog_ShareTheEntitiesTheyLeaveEmpty_AndReadTheirOwn()
    {
        var (dir, log, bytes, records) = Logged(10, 20);
        using var _ = dir;
        var (read, _, damage) = CommitLog.ReadTail(bytes.AsMemory(0, records[0].Start), bytes.AsMemory(records[0].Start), log);
        Assert.Null(damage);
        Assert.Equal(2, read.Count);
        // Task commits: nodes and content are empty in both, and bound once for the schema.
        Assert.Same(read[0].Rows(0), read[1].Rows(0));
        Assert.Same(read[0].Rows(2), read[1].Rows(2));
        Assert.Equal(0, read[0].Rows(2).Count);
        Assert.NotSame(read[0].Rows(1), read[1].Rows(1));
        Assert.Equal(new long?[] { 10, 20 }, read.Select(MemoryOf));
        // What a record carries into the state it makes is read without its batch.
        Assert.Equal(CommitLogTests.Start.AddSeconds(2), read[1].UpdatedAt);
        Assert.NotNull(read[1].Top(ClusterSchema.Names.MasterId));
    }

    [Fact]
    public void EveryRecordOfARandomHistory_IsLoadedFromItsMessage_AsApacheArrowReadsIt()
    {
        // Adds, updates and removals of every entity (records of several shapes and sizes): the
        // loader builds each record without Apache.Arrow's reader, to the same values (serialised
        // again: the very bytes of the log), and shares one array for an entity a record leaves empty.
        var (dir, _, _, bytes, records) = CommitLogTests.Logged(seed: 6, commits: 12);
        using var _ = dir;
        var header = bytes.AsSpan(0, records[0].Start).ToArray();
        var schema = new Apache.Arrow.Ipc.ArrowStreamReader(header).Schema;
        var loader = RecordBatchLoader.For(schema);
        Assert.NotNull(loader);
        var empties = new System.Collections.Generic.Dictionary<string, Apache.Arrow.IArrowArray>();
        int shared = 0;
        foreach (var (start, length) in records)
        {
            var message = bytes.AsSpan(start, length).ToArray();
            var loaded = loader!.TryLoad(message);
            Assert.NotNull(loaded);
            using var reader = new Apache.Arrow.Ipc.ArrowStreamReader(header.Concat(message).ToArray());
            Assert.Equal(CommitLog.Serialize(reader.ReadNextRecordBatch()), CommitLog.Serialize(loaded!));
            Assert.Equal(message, CommitLog.Serialize(loaded!));
            foreach (string name in CommitRecord.EntityNames)
            {
                var list = (Apache.Arrow.ListArray)loaded!.Column(name);
                if (list.GetValueLength(0) != 0) continue;
                if (empties.TryGetValue(name, out var first))
                {
                    Assert.Same(first, list);
                    shared++;
                }
                else empties[name] = list;
            }
        }
        Assert.True(shared > 0, "some records leave an entity empty");
    }

    [Fact]
    public void AMessageTheLoaderDoesNotRead_GoesToApacheArrow_WhichReportsItsDamage()
    {
        var (dir, log, bytes, records) = Logged(8000, 9000);
        using var _ = dir;
        var header = bytes.AsSpan(0, records[0].Start).ToArray();
        var loader = RecordBatchLoader.For(new Apache.Arrow.Ipc.ArrowStreamReader(header).Schema)!;
        var message = bytes.AsSpan(records[0].Start, records[0].Length).ToArray();
        Assert.True(IpcLayout.TryReadBatchLayout(message, out var layout));
        // A values buffer that points past the body (a checksum that passed, as a hostile writer would make it).
        var outside = (byte[])message.Clone();
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(outside.AsSpan(layout.Buffers + 16 * 2), layout.BodyLength + 8L);
        Assert.Null(loader.TryLoad(outside));
        var e = Assert.Throws<ClusterStateException>(() => RecordDecoder.For(header).Decode(outside, checksum: 11, log));
        Assert.Equal(ErrorIds.SnapshotCorrupt, e.ErrorId);
        // A field count that is not the schema's.
        var nodes = (byte[])message.Clone();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(nodes.AsSpan(layout.Nodes - 4), (uint)layout.NodeCount - 1);
        Assert.Null(loader.TryLoad(nodes));
        // The record itself still loads, and a schema with a type whose layout the loader does not read has no loader.
        Assert.NotNull(loader.TryLoad(message));
        Assert.Null(RecordBatchLoader.For(new Apache.Arrow.Schema.Builder().Field(f => f.Name("x").DataType(Apache.Arrow.Types.NullType.Default)).Build()));
    }

    [Fact]
    public void RecordsDamagedPastTheirChecksum_DecodeOrAreSnapshotCorrupt_NeverAnotherFailure()
    {
        // As a hostile writer would make them (the checksum recomputed): bytes of the metadata and
        // body changed at random, handed to the decoder directly. The loader and Apache.Arrow
        // behind it either read a record (whose arrays then passed validation) or report
        // SnapshotCorrupt; no other exception escapes, nothing reads out of bounds.
        var (dir, _, log, bytes, records) = CommitLogTests.Logged(seed: 7, commits: 8);
        using var _ = dir;
        var header = bytes.AsMemory(0, records[0].Start);
        var random = new Random(7);
        int decoded = 0, corrupt = 0;
        for (int round = 0; round < 600; round++)
        {
            var (start, length) = records[random.Next(records.Count)];
            var message = bytes.AsSpan(start, length).ToArray();
            for (int flips = random.Next(1, 4); flips > 0; flips--)
            {
                int at = random.Next(8, message.Length);
                message[at] = random.Next(3) == 0 ? (byte)0xFF : (byte)(message[at] ^ (1 << random.Next(8)));
            }
            try
            {
                var record = RecordDecoder.For(header).Decode(message, checksum: (uint)(1_000_000 + round), log);
                // Every value of every row it holds reads (through the same checks a state's rows get).
                foreach (int row in record.Rows(0).Rows.ToArray()) Assert.NotNull(((NodeColumns)record.Rows(0)).Read(row));
                foreach (int row in record.Rows(1).Rows.ToArray()) Assert.NotNull(((TaskColumns)record.Rows(1)).Read(row));
                foreach (int row in record.Rows(2).Rows.ToArray()) Assert.NotNull(((ContentColumns)record.Rows(2)).Read(row));
                decoded++;
            }
            catch (ClusterStateException e)
            {
                Assert.Equal(ErrorIds.SnapshotCorrupt, e.ErrorId);
                corrupt++;
            }
        }
        Assert.True(decoded > 0 && corrupt > 0, $"{decoded} decoded, {corrupt} corrupt");
    }
}
