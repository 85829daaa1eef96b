using System;
using System.IO;
using Microsoft.Win32.SafeHandles;

namespace ClusterState.Storage;

/// <summary>
/// Decodes the records other writers append to a state's log while this writer waits for the
/// writer lock. The open under the lock (ClusterSnapshot.OpenToWrite) reads every record
/// committed since this writer's peek, and with eight writer processes that was half of the time
/// a commit held the lock — mostly Apache.Arrow decoding each record (about 50 µs for a
/// one-row record of the full schema) while seven writers waited. Records decoded here go
/// through this process's <see cref="RecordDecoder"/>, where the open under the lock then finds
/// them: it only merges. Nothing here decides anything: damage or a vanished log is left for the
/// open under the lock to report.
/// </summary>
internal sealed class LogReadAhead : IDisposable
{
    private readonly ReadOnlyMemory<byte> _header;
    private readonly string _path;
    private long _read;

    /// <summary>The log, opened at the first look: a writer that finds the lock free never looks, and pays no open.</summary>
    private SafeFileHandle? _file;

    private LogReadAhead(ReadOnlyMemory<byte> header, string path, long read)
    {
        _header = header;
        _path = path;
        _read = read;
    }

    /// <summary>How often a queued writer looks for new records: about the time one commit holds the lock.</summary>
    public static readonly TimeSpan Every = TimeSpan.FromMilliseconds(1);

    /// <summary>The read-ahead of the log <paramref name="peeked"/> read, from where it stopped; null when it has no log.</summary>
    public static LogReadAhead? After(ClusterSnapshot peeked)
    {
        if (peeked.StatePath is not { } directory || peeked.Metadata?.Log is not { } name || peeked.Data.Log is not { Damage: null } log) return null;
        return new LogReadAhead(log.Header, Path.Combine(directory, name), log.Length);
    }

    /// <summary>Decodes the whole records appended since the last look (a record still being written waits for the next).</summary>
    public void Poll()
    {
        try
        {
            _file ??= File.OpenHandle(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            long length = RandomAccess.GetLength(_file);
            // A tail larger than the decoder keeps (a pipeline's record) would be decoded again under the lock anyway.
            if (length <= _read || length - _read > RecordDecoder.BytesKept) return;
            var tail = new byte[length - _read];
            int read = RandomAccess.Read(_file, tail, _read);
            var (_, consumed, _) = CommitLog.ReadTail(_header, tail.AsMemory(0, read), _path);
            _read += consumed;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ClusterStateException)
        {
            // Left for the open under the lock, which reads the same bytes and reports what is wrong.
        }
    }

    public void Dispose() => _file?.Dispose();
}
