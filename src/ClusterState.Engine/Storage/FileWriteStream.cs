using System;
using System.IO;

namespace ClusterState.Storage;

/// <summary>
/// A file stream seen through a hook on every write: what it writes goes to the file at once,
/// then <see cref="Written"/> sees the bytes (to hash them, to start write-back). Every write
/// overload, the asynchronous ones too, funnels into one synchronous write, so a hook can never
/// be skipped by a caller that happens to write asynchronously.
/// </summary>
internal abstract class FileWriteStream(FileStream file) : Stream
{
    /// <summary>The file written.</summary>
    protected FileStream Target { get; } = file;

    /// <summary>Called after <paramref name="buffer"/> was written to the file.</summary>
    protected abstract void Written(ReadOnlySpan<byte> buffer);

    public override bool CanRead => Target.CanRead;
    public override bool CanSeek => Target.CanSeek;
    public override bool CanWrite => true;
    public override long Length => Target.Length;
    public override long Position { get => Target.Position; set => Seek(value, SeekOrigin.Begin); }
    public override void Flush() => Target.Flush();
    public override int Read(byte[] buffer, int offset, int count) => Target.Read(buffer, offset, count);
    public override int Read(Span<byte> buffer) => Target.Read(buffer);
    public override long Seek(long offset, SeekOrigin origin) => Target.Seek(offset, origin);
    public override void SetLength(long value) => Target.SetLength(value);

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Target.Write(buffer);
        Written(buffer);
    }

    public override System.Threading.Tasks.ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, System.Threading.CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return default;
    }

    public override System.Threading.Tasks.Task WriteAsync(byte[] buffer, int offset, int count, System.Threading.CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return System.Threading.Tasks.Task.CompletedTask;
    }
}
