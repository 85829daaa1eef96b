using System;
using System.Collections.Generic;
using System.IO;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using ClusterState.Schema;

namespace ClusterState.Storage;

/// <summary>
/// Decodes the records appended to logs of one schema message, for every read in this process.
/// A committing process reads each record of the others several times over — its peek, its open
/// under the writer lock (which also reads records not yet published), the publication that
/// finds records after its own — and each read decoded them again, behind a new parse of the
/// schema message (a hundred and fifty fields: a quarter of a peek). Here the schema is parsed
/// once, and a record is built from its message by the schema's <see cref="RecordBatchLoader"/>
/// (or, for types it does not read and for damage, by one Arrow stream reader per schema message
/// that reads records as they are fed to it, the log being an Arrow stream that grows); and a
/// record already decoded is found by its checksum
/// and length and taken when its bytes are the same (a record withdrawn after a failed
/// publication can be replaced by another at the same place).
/// </summary>
// A decoder lives while the process may read its logs, and is dropped to the collector: its
// reader and stream hold managed buffers only (the records' own memory goes with the records).
#pragma warning disable CA1001
internal sealed class RecordDecoder
#pragma warning restore CA1001
{
    /// <summary>Decoders of the schema messages read most recently; a process follows one log per state it writes.</summary>
    private static readonly List<RecordDecoder> Decoders = new();

    private const int DecodersKept = 8;

    /// <summary>Records kept per decoder: about a log's worth at the default compaction threshold.</summary>
    private const int RecordsKept = 4096;

    /// <summary>
    /// Bytes of records kept per decoder (each kept twice: its message, and the decoded columns).
    /// Single-row commits take a few KiB each; a pipeline's record of ten thousand tasks takes
    /// megabytes, and is decoded again rather than held past this.
    /// </summary>
    internal const long BytesKept = 32L << 20;

    private readonly byte[] _header;
    private readonly Dictionary<(uint Checksum, int Length), (ReadOnlyMemory<byte> Bytes, CommitRecord Record)> _known = new();
    private readonly Queue<(uint Checksum, int Length)> _order = new();
    private readonly FeedStream _feed = new();
    private long _keptBytes;
    private ArrowStreamReader? _reader;

    /// <summary>The loader of this schema's records, made on first use (null when its types need Apache.Arrow's reader).</summary>
    private RecordBatchLoader? _loader;
    private bool _loaderMade;

    private RecordDecoder(byte[] header) => _header = header;

    /// <summary>The decoder of records that follow <paramref name="header"/> (a log's schema message).</summary>
    public static RecordDecoder For(ReadOnlyMemory<byte> header)
    {
        lock (Decoders)
        {
            for (int i = 0; i < Decoders.Count; i++)
            {
                var d = Decoders[i];
                if (!d._header.AsSpan().SequenceEqual(header.Span)) continue;
                Decoders.RemoveAt(i);
                Decoders.Add(d); // most recently used last
                return d;
            }
            var decoder = new RecordDecoder(header.ToArray());
            Decoders.Add(decoder);
            if (Decoders.Count > DecodersKept) Decoders.RemoveAt(0);
            return decoder;
        }
    }

    /// <summary>
    /// The record of <paramref name="message"/>, a whole record-batch message whose checksum was
    /// verified (<paramref name="checksum"/>). Damage Arrow's reader meets is SnapshotCorrupt.
    /// </summary>
    public CommitRecord Decode(ReadOnlyMemory<byte> message, uint checksum, string path)
    {
        var key = (checksum, message.Length);
        lock (this)
        {
            if (_known.TryGetValue(key, out var known) && known.Bytes.Span.SequenceEqual(message.Span)) return known.Record;
            CommitRecord record;
            // The record's own copy: its arrays point into it (the log's bytes may be a read buffer or a mapping that goes).
            var bytes = message.ToArray();
            try
            {
                if (!_loaderMade)
                {
                    _loader = RecordBatchLoader.For(new ArrowStreamReader(_header).Schema);
                    _loaderMade = true;
                }
                var batch = _loader?.TryLoad(bytes) ?? ReadWithArrow(bytes);
                record = CommitRecord.Read(batch, path, _loader is null ? null : _loader.IsShared);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The reader may stand anywhere inside the message now: the next record starts a new one.
                _reader?.Dispose();
                _reader = null;
                _feed.Clear();
                if (e is ClusterStateException) throw;
                throw new ClusterStateException(ErrorIds.SnapshotCorrupt, ClusterStateErrorKind.InvalidData,
                    $"The commit log '{path}' cannot be read: a record does not decode ({e.GetType().Name}: {e.Message}).", path, e);
            }
            if (message.Length > BytesKept) return record;
            while ((_known.Count >= RecordsKept || _keptBytes + message.Length > BytesKept) && _order.TryDequeue(out var oldest))
                if (_known.Remove(oldest, out var dropped)) _keptBytes -= dropped.Bytes.Length;
            if (_known.TryAdd(key, (bytes, record)))
            {
                _order.Enqueue(key);
                _keptBytes += message.Length;
            }
            return record;
        }
    }

    /// <summary>A record Apache.Arrow's stream reader decodes: one the loader does not read (a newer writer's types), or a damaged one, which it reports.</summary>
    private RecordBatch ReadWithArrow(byte[] message)
    {
        if (_reader is null)
        {
            _feed.Add(_header);
            _reader = new ArrowStreamReader(_feed, ManagedMemoryAllocator.Instance, leaveOpen: true);
        }
        _feed.Add(message);
        return _reader.ReadNextRecordBatch() ?? throw new InvalidDataException("the stream ended");
    }

    /// <summary>A read-only stream of the byte blocks added to it, in order; Arrow's stream reader reads each message as it is added.</summary>
    private sealed class FeedStream : Stream
    {
        private readonly Queue<ReadOnlyMemory<byte>> _blocks = new();
        private ReadOnlyMemory<byte> _current;

        public void Add(ReadOnlyMemory<byte> block) => _blocks.Enqueue(block);

        public void Clear()
        {
            _blocks.Clear();
            _current = default;
        }

        public override int Read(Span<byte> buffer)
        {
            int read = 0;
            while (read < buffer.Length)
            {
                if (_current.IsEmpty && !_blocks.TryDequeue(out _current)) break;
                int n = Math.Min(_current.Length, buffer.Length - read);
                _current.Span[..n].CopyTo(buffer[read..]);
                _current = _current[n..];
                read += n;
            }
            return read;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
