using System;
using System.Diagnostics;
using System.IO;
using System.Threading;

namespace ClusterState.Storage;

/// <summary>
/// The cross-process writer lock of a state directory: an exclusive open of the lock file.
/// On Unix .NET takes an advisory <c>flock</c> for <see cref="FileShare.None"/>, on Windows the
/// share mode does the same; either way the OS drops it when the holder dies, so a killed
/// writer never wedges the state.
/// </summary>
internal sealed class WriterLock : IDisposable
{
    /// <summary>The lock file's name inside a state directory.</summary>
    public const string FileName = "state.lock";

    private readonly FileStream _stream;

    private WriterLock(FileStream stream) => _stream = stream;

    /// <summary>The lock that serialises checkpoint writers (independent of commits).</summary>
    public const string CheckpointFileName = "checkpoint.lock";

    /// <summary>Takes the lock <paramref name="fileName"/> now, or returns null when another process holds it.</summary>
    public static WriterLock? TryAcquire(string stateDirectory, string fileName)
    {
        try
        {
            return Open(Path.Combine(stateDirectory, fileName));
        }
        catch (IOException)
        {
            return null;
        }
    }

    public static WriterLock Acquire(string stateDirectory, TimeSpan timeout, string fileName = FileName)
    {
        string path = Path.Combine(stateDirectory, fileName);
        var clock = Stopwatch.StartNew();
        int wait = 1;
        while (true)
        {
            try
            {
                return Open(path);
            }
            catch (IOException) when (clock.Elapsed < timeout)
            {
                // Short sleeps: the lock is held for milliseconds now (a commit appends a record), and
                // a waiter that backed off further lost the lock to writers that kept coming (commits
                // waited seconds behind four busy writers).
                Thread.Sleep(wait);
                wait = Math.Min(wait + 1, 2);
            }
            catch (IOException e)
            {
                throw new ClusterStateException(ErrorIds.StateLocked, ClusterStateErrorKind.ResourceUnavailable,
                    $"Another writer has held the lock of '{stateDirectory}' for more than {timeout.TotalSeconds:0.#} s.", path, e);
            }
        }
    }

    public void Dispose() => _stream.Dispose();

    /// <summary>
    /// Opens (creates) the lock file exclusively. A lock path that cannot be a lock (a directory,
    /// a file we may not write) is a lasting fault, not a busy lock: say so instead of waiting out
    /// the timeout or reporting a bare "Access denied".
    /// </summary>
    private static WriterLock Open(string path)
    {
        try
        {
            return new WriterLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException && Directory.Exists(path))
        {
            throw new ClusterStateException(ErrorIds.WriteFailed, ClusterStateErrorKind.WriteError,
                $"The lock file '{path}' is not a regular file (it is a directory); remove it so writers can lock the state.", path, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new ClusterStateException(ErrorIds.WriteFailed, ClusterStateErrorKind.WriteError,
                $"The lock file '{path}' cannot be opened for writing: {e.Message}", path, e);
        }
    }
}
