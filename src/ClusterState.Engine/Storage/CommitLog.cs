using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Microsoft.Win32.SafeHandles;

namespace ClusterState.Storage;

/// <summary>
/// The commit log file (DESIGN.md §5, docs/FORMAT.md "The commit log"): an Arrow IPC stream
/// without its end-of-stream marker — the log's schema message, then one record-batch message
/// per commit, each carrying a CRC-32C of its own bytes in its last column. Any Arrow stream
/// reader reads the records; this class appends them durably and reads them back, stopping at
/// the first record that is cut short or fails its checksum (a torn append or damage): what
/// lies before it is the log.
/// </summary>
internal static class CommitLog
{
    /// <summary>The file name of the log that follows the base of <paramref name="baseGeneration"/>.</summary>
    public static string FileName(long baseGeneration) => $"commits_{baseGeneration}.arrows";

    /// <summary>The base generation a log's file name carries (the inverse of <see cref="FileName"/>), or null for another name.</summary>
    public static long? BaseOf(string name) =>
        name.StartsWith("commits_", StringComparison.Ordinal) && name.EndsWith(".arrows", StringComparison.Ordinal)
        && long.TryParse(name.AsSpan(8, name.Length - 8 - 7), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long g) ? g : null;

    /// <summary>The log's first bytes: its schema message alone (no record, no end-of-stream marker).</summary>
    public static byte[] Header(Apache.Arrow.Schema logSchema)
    {
        using var stream = new MemoryStream();
        using (var writer = new ArrowStreamWriter(stream, logSchema, leaveOpen: true)) writer.WriteStart();
        return stream.ToArray();
    }

    /// <summary>
    /// The schema message a log file starts with (what a read of records appended to it needs
    /// first), or SnapshotCorrupt when the file does not start with one.
    /// </summary>
    public static byte[] ReadHeader(string path)
    {
        using SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        long length = RandomAccess.GetLength(file);
        // Our schema message is a few KiB; a file-controlled length is bounded before a buffer is sized by it.
        for (int size = 16 << 10; ; size *= 4)
        {
            var bytes = new byte[(int)Math.Min(length, size)];
            int read = RandomAccess.Read(file, bytes, 0);
            if (IpcLayout.TryReadMessage(bytes.AsSpan(0, read), out var header) && header.HeaderType == 1 /* Schema */) return bytes[..header.Length];
            if (read < size || size >= 16 << 20)
                throw new ClusterStateException(ErrorIds.SnapshotCorrupt, ClusterStateErrorKind.InvalidData,
                    $"The commit log '{path}' does not start with an Arrow schema message.", path);
        }
    }

    /// <summary>
    /// The bytes of one record: its record-batch message, with the CRC-32C of the message (its
    /// checksum slot taken as zero) written into the slot.
    /// </summary>
    public static byte[] Serialize(RecordBatch record)
    {
        // A pipeline's record takes megabytes (4.5 MiB for ten thousand tasks): a stream grown by
        // doubling allocated about three times that on the large object heap, whose collections
        // are full ones, and copied it as often. Such a record gets its room at once (an upper
        // bound); a single row's, a few KiB, grows from small rather than take that bound's slack.
        long bound = StateStore.IpcSize(record);
        byte[] bytes;
        // A small record (a commit of a few rows) goes through the writer kept for its schema:
        // making a writer for every record cost three times what writing the record does (about
        // 40 of 55 µs, and 17 KiB), under the writer lock. One that is busy (another thread of
        // this process serialising meanwhile) or a schema with dictionaries (a stream writer
        // writes those once, before its first batch) gets a writer of its own.
        if (bound < ReusedUpTo && KeptWriters.GetValue(record.Schema, KeptWriter.For) is { } kept && System.Threading.Monitor.TryEnter(kept))
        {
            try
            {
                bytes = kept.Write(record);
            }
            finally
            {
                System.Threading.Monitor.Exit(kept);
            }
        }
        else
        {
            using var stream = bound >= PresizedFrom ? new MemoryStream((int)Math.Min(bound, System.Array.MaxLength)) : new MemoryStream();
            using (var writer = new RecordWriter(stream, record.Schema)) writer.WriteRecordBatch(record);
            bytes = stream.ToArray();
        }
        // The writer copies from spans over the buffers, which do not keep their owners alive: a
        // buffer over memory a finalizer frees (Arrow's native allocator, which built these records
        // before ManagedMemoryAllocator) could go mid-write (seen: a NullReferenceException in the
        // copy, under load, in about half of the benchmark runs). Kept for any such buffer.
        GC.KeepAlive(record);
        if (!IpcLayout.TryReadMessage(bytes, out var message) || message.Length != bytes.Length || message.LastBufferLength < 8)
            throw new InvalidOperationException("A commit record did not serialise as one record-batch message ending in its checksum.");
        int slot = ChecksumSlot(message);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(slot), Crc32C.ComputeWithHole(bytes, slot));
        return bytes;
    }

    /// <summary>From how large an upper bound of its size a record is serialised into a buffer made that large at once.</summary>
    private const long PresizedFrom = 1 << 20;

    /// <summary>Up to what upper bound of its size a record goes through its schema's kept writer (whose buffer then stays that large).</summary>
    private const long ReusedUpTo = 256 << 10;

    /// <summary>The writer kept per log schema (null for a schema with dictionaries).</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Apache.Arrow.Schema, KeptWriter?> KeptWriters = new();

    /// <summary>
    /// Decodes a serialised record as a reader of the log would, or throws SnapshotCorrupt: for
    /// records built on a base whose schema is not the module's own, before they are written.
    /// </summary>
    public static void CheckReadable(Apache.Arrow.Schema logSchema, byte[] record, string path)
    {
        byte[] bytes = [.. Header(logSchema), .. record];
        var contents = Read(bytes, path);
        if (contents.Damage is not null || contents.Records.Count != 1)
            throw new ClusterStateException(ErrorIds.SnapshotCorrupt, ClusterStateErrorKind.InvalidData,
                $"The commit was not written: its record for '{path}' does not read back ({contents.Damage ?? "no record"}); the snapshot's schema is damaged.", path);
    }

    /// <summary>
    /// Writes <paramref name="bytes"/> at <paramref name="offset"/> — the end of the log's last
    /// published record — cuts whatever a crashed writer left beyond them, and makes them
    /// durable. The caller holds the writer lock: .NET has no O_APPEND, so the offset is ours.
    /// </summary>
    public static void Write(string path, long offset, ReadOnlySpan<byte> bytes, bool durable)
    {
        using SafeFileHandle file = File.OpenHandle(path, offset == 0 ? FileMode.Create : FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        long end = offset + bytes.Length;
        if (offset > 0 && RandomAccess.GetLength(file) < offset)
            throw new ClusterStateException(ErrorIds.SnapshotCorrupt, ClusterStateErrorKind.InvalidData,
                $"The commit log '{path}' is shorter ({RandomAccess.GetLength(file)} bytes) than its published {offset} bytes; it was cut by something other than this module.", path);
        RandomAccess.Write(file, bytes, offset);
        // A torn tail must go before anything follows it: a reader stops at the first bad record.
        if (RandomAccess.GetLength(file) > end) RandomAccess.SetLength(file, end);
        if (durable) NativeMethods.DataSync(file, path);
    }

    /// <summary>Cuts a log back to <paramref name="length"/> bytes (a log cut to nothing is deleted); best effort.</summary>
    public static void Cut(string path, long length)
    {
        try
        {
            if (length == 0)
            {
                File.Delete(path);
                return;
            }
            using SafeFileHandle file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            RandomAccess.SetLength(file, length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left as it is: what lies beyond the published length is never read, and the next commit cuts it.
        }
    }

    /// <summary>
    /// Reads the records of a log's bytes (a mapping of its published length). Stops at the
    /// first record that is incomplete, not a record batch, or fails its checksum, and says why
    /// in <see cref="LogContents.Damage"/>; the records before it are returned, decoded without
    /// a copy. A log whose schema message itself is unreadable is SnapshotCorrupt, and so is
    /// one whose schema <paramref name="checkSchema"/> refuses (it throws) before any record is decoded.
    /// With <paramref name="decoded"/> the records go through this process's
    /// <see cref="RecordDecoder"/> of the log's schema, as a log's tail does: records this process
    /// decoded before (a compaction's carried records) are not decoded again, and those decoded
    /// now are kept for the next read. Without it (a log summary's one large record, a change
    /// feed) they are decoded here and not kept.
    /// </summary>
    public static LogContents Read(ReadOnlyMemory<byte> bytes, string path, Action<Apache.Arrow.Schema>? checkSchema = null, bool decoded = false)
    {
        var span = bytes.Span;
        if (!IpcLayout.TryReadMessage(span, out var header) || header.HeaderType != 1 /* Schema */)
            throw new ClusterStateException(ErrorIds.SnapshotCorrupt, ClusterStateErrorKind.InvalidData,
                $"The commit log '{path}' does not start with an Arrow schema message.", path);
        if (decoded) return ReadDecoded(bytes, header.Length, path, checkSchema);
        var (records, end, damage) = Verify(span, header.Length);
        int position = header.Length + end, count = records.Count;

        // The schema message has no checksum, and Apache.Arrow sizes its lists by its counts before reading them.
        if (!IpcLayout.VectorsFit(span[..position]))
            throw SchemaClaimsTooMuch(path);
        var list = new List<CommitRecord>(count);
        Apache.Arrow.Schema schema;
        // Only the verified prefix goes to Arrow: its reader never sees the bytes after it.
        try
        {
            using var reader = new ArrowStreamReader(bytes[..position]);
            schema = reader.Schema;
            checkSchema?.Invoke(schema);
            for (int i = 0; i < count; i++)
            {
                var batch = reader.ReadNextRecordBatch() ?? throw new ClusterStateException(ErrorIds.SnapshotCorrupt, ClusterStateErrorKind.InvalidData,
                    $"The commit log '{path}' ended after {i} of its {count} records.", path);
                list.Add(CommitRecord.Read(batch, path));
            }
        }
        catch (Exception e) when (e is not ClusterStateException and not OutOfMemoryException)
        {
            // The schema message has no checksum: damage there reaches Arrow's reader, which
            // throws whatever its decoding hits (and the records are then decoded with a wrong schema).
            throw SchemaDamaged(path, e);
        }
        return new LogContents(schema, AppendOnlyList<CommitRecord>.Empty.Append(list), position, damage, bytes[..header.Length]);
    }

    /// <summary><see cref="Read"/> through the process's record decoder: the schema message read here, the records as a tail after it.</summary>
    private static LogContents ReadDecoded(ReadOnlyMemory<byte> bytes, int headerLength, string path, Action<Apache.Arrow.Schema>? checkSchema)
    {
        // The schema message has no checksum, and Apache.Arrow sizes its lists by its counts before
        // reading them; each record is checked likewise by ReadTail.
        if (!IpcLayout.VectorsFit(bytes.Span[..headerLength]))
            throw SchemaClaimsTooMuch(path);
        Apache.Arrow.Schema schema;
        try
        {
            using var reader = new ArrowStreamReader(bytes[..headerLength]);
            schema = reader.Schema;
        }
        catch (Exception e) when (e is not ClusterStateException and not OutOfMemoryException)
        {
            throw SchemaDamaged(path, e);
        }
        checkSchema?.Invoke(schema);
        var (records, length, damage) = ReadTail(bytes[..headerLength], bytes[headerLength..], path);
        return new LogContents(schema, AppendOnlyList<CommitRecord>.Empty.Append(records), headerLength + length, damage, bytes[..headerLength]);
    }

    private static ClusterStateException SchemaClaimsTooMuch(string path) =>
        new(ErrorIds.SnapshotCorrupt, ClusterStateErrorKind.InvalidData,
            $"The commit log '{path}' is damaged: its schema message claims more entries than it holds.", path);

    private static ClusterStateException SchemaDamaged(string path, Exception e) =>
        new(ErrorIds.SnapshotCorrupt, ClusterStateErrorKind.InvalidData,
            $"The commit log '{path}' cannot be read: its schema message is damaged ({e.GetType().Name}: {e.Message}).", path, e);

    /// <summary>A record found whole in a log's bytes: where its message lies, and its checksum.</summary>
    private readonly record struct FoundRecord(int Offset, int Length, uint Checksum);

    /// <summary>
    /// Walks the record messages of <paramref name="span"/> from <paramref name="from"/>, checking
    /// each (complete, a one-row record batch, its checksum), up to the first that fails: the
    /// records found, how many bytes after <paramref name="from"/> they take, and why the walk stopped early.
    /// </summary>
    private static (List<FoundRecord> Records, int Length, string? Damage) Verify(ReadOnlySpan<byte> span, int from)
    {
        var found = new List<FoundRecord>();
        int position = from;
        string? damage = null;
        while (position < span.Length)
        {
            var rest = span[position..];
            if (!IpcLayout.TryReadMessage(rest, out var message))
            {
                damage = $"the record at byte {position} is incomplete or unreadable";
                break;
            }
            if (message.HeaderType != IpcLayout.RecordBatchHeader || message.Rows != 1 || message.LastBufferLength < 8)
            {
                damage = $"the message at byte {position} is not a commit record";
                break;
            }
            int slot = ChecksumSlot(message);
            uint expected = Crc32C.ComputeWithHole(rest[..message.Length], slot);
            if (BinaryPrimitives.ReadInt64LittleEndian(rest[slot..]) != expected)
            {
                damage = $"the record at byte {position} fails its checksum";
                break;
            }
            found.Add(new FoundRecord(position, message.Length, expected));
            position += message.Length;
        }
        return (found, position - from, damage);
    }

    /// <summary>
    /// The log read further: <paramref name="tail"/> holds the bytes after what
    /// <paramref name="known"/> read. Only the new records are checked and decoded.
    /// </summary>
    public static LogContents ReadMore(LogContents known, ReadOnlyMemory<byte> tail, string path)
    {
        if (tail.IsEmpty) return known;
        var (records, length, damage) = ReadTail(known.Header, tail, path);
        return new LogContents(known.Schema, known.Records.Append(records), known.Length + length, damage, known.Header);
    }

    /// <summary>
    /// The records of <paramref name="tail"/>, bytes of a log after its schema message
    /// <paramref name="header"/> (checked when the log was first read): checked, and decoded by
    /// this process's <see cref="RecordDecoder"/> of that schema, which decodes a record once
    /// however many reads meet it. How many bytes the records take, and why the read stopped early.
    /// </summary>
    public static (IReadOnlyList<CommitRecord> Records, int Length, string? Damage) ReadTail(ReadOnlyMemory<byte> header, ReadOnlyMemory<byte> tail, string path)
    {
        var (found, length, damage) = Verify(tail.Span, 0);
        var decoder = RecordDecoder.For(header);
        var records = new CommitRecord[found.Count];
        for (int i = 0; i < found.Count; i++)
        {
            var record = tail.Slice(found[i].Offset, found[i].Length);
            // Apache.Arrow sizes its lists by the message's counts before reading them; the
            // checksum guards against damage, this against a record written to claim gigabytes.
            if (!IpcLayout.BatchVectorsFit(record.Span))
                throw new ClusterStateException(ErrorIds.SnapshotCorrupt, ClusterStateErrorKind.InvalidData,
                    $"The commit log '{path}' is damaged: a record claims more entries than it holds.", path);
            records[i] = decoder.Decode(record, found[i].Checksum, path);
        }
        return (records, length, damage);
    }

    /// <summary>Where a record's checksum value lies in its message: the last buffer (the checksum column's values).</summary>
    private static int ChecksumSlot(IpcMessage message) => checked(message.BodyStart + (int)message.LastBufferOffset);

    /// <summary>A record writer over a buffer of its own, written again for each record.</summary>
    // Kept while its schema lives, then dropped to the collector: a memory stream and a writer over it hold managed buffers only.
#pragma warning disable CA1001
    private sealed class KeptWriter
#pragma warning restore CA1001
    {
        private readonly MemoryStream _stream = new();
        private readonly RecordWriter _writer;

        private KeptWriter(Apache.Arrow.Schema schema) => _writer = new RecordWriter(_stream, schema);

        public static KeptWriter? For(Apache.Arrow.Schema schema) => schema.FieldsList.Any(f => HasDictionary(f.DataType)) ? null : new KeptWriter(schema);

        private static bool HasDictionary(Apache.Arrow.Types.IArrowType type) =>
            type is Apache.Arrow.Types.DictionaryType || (type is Apache.Arrow.Types.NestedType nested && nested.Fields.Any(f => HasDictionary(f.DataType)));

        public byte[] Write(RecordBatch record)
        {
            _stream.SetLength(0);
            try
            {
                _writer.WriteRecordBatch(record);
                return _stream.ToArray();
            }
            catch
            {
                // The writer may stand inside a message: the next record gets a new one.
                KeptWriters.Remove(record.Schema);
                throw;
            }
        }
    }

    /// <summary>Writes record-batch messages only: the log's schema message is already in the file.</summary>
    private sealed class RecordWriter : ArrowStreamWriter
    {
        public RecordWriter(Stream stream, Apache.Arrow.Schema schema)
            : base(stream, schema, leaveOpen: true)
        {
            HasWrittenSchema = true;
        }
    }
}
