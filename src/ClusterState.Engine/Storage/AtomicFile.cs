using System;
using System.IO;

namespace ClusterState.Storage;

/// <summary>
/// Every file the module writes (snapshots, metadata, exports) is written under a temporary name
/// beside its target, flushed, and renamed into place: a reader sees the old file or the complete
/// new one, and a failure leaves no partial file behind.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> atomically; <paramref name="written"/> runs after the data is written and before it is flushed to disk.</summary>
    public static void Write(string path, Action<Stream> write, bool durable, string what, Action? written = null)
    {
        string temporary = path + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            // ReadWrite: the Parquet writer reads its own footer back when it appends a row group.
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 20))
            {
                write(stream);
                stream.Flush(flushToDisk: false);
                written?.Invoke();
                if (durable) stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw new ClusterStateException(ErrorIds.WriteFailed, ClusterStateErrorKind.WriteError,
                $"The {what} '{path}' cannot be written: {e.Message}", path, e);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Makes <paramref name="path"/> a second name of the durable file <paramref name="source"/>
    /// (a hard link, switched in by rename, so no byte is copied); copies atomically where the
    /// file system has no hard links.
    /// </summary>
    public static void Link(string source, string path, string what)
    {
        string temporary = path + ".tmp-" + Guid.NewGuid().ToString("N");
        if (NativeMethods.TryHardLink(source, temporary))
        {
            try
            {
                File.Move(temporary, path, overwrite: true);
                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                TryDelete(temporary);
                throw new ClusterStateException(ErrorIds.WriteFailed, ClusterStateErrorKind.WriteError,
                    $"The {what} '{path}' cannot be written: {e.Message}", path, e);
            }
        }
        Write(path, stream =>
        {
            using var input = File.OpenRead(source);
            input.CopyTo(stream);
        }, durable: true, what);
    }

    /// <summary>Deletes a file if it can; a file in use (Windows) or already gone is left to a later attempt.</summary>
    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
