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

    private readonly IDisposable _stream;

    private WriterLock(IDisposable stream) => _stream = stream;

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
        if (OperatingSystem.IsLinux() && AcquireQueued(path, timeout, stateDirectory) is { } queued) return queued;
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
    /// Linux: waits for the lock in the kernel's queue (a blocking <c>flock</c> on a thread of its
    /// own, so the wait can time out). Polling let writers that commit back to back take the lock
    /// again and again while others waited seconds; a compaction's switch once waited out its
    /// whole timeout. The file is opened without .NET's own lock (which would be a shared one that
    /// fails while a writer holds the lock). A wait given up leaves the thread to release the lock
    /// as soon as it gets it. Null when the platform has no flock.
    /// </summary>
    private static WriterLock? AcquireQueued(string path, TimeSpan timeout, string stateDirectory)
    {
        Microsoft.Win32.SafeHandles.SafeFileHandle? handle;
        try
        {
            handle = NativeMethods.OpenForLock(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Open(path); // a lock path that cannot be a lock: reported by the usual open
        }
        if (handle is null) return null;
        var state = new QueuedWait(handle);
        var thread = new Thread(state.Run) { IsBackground = true, Name = "ClusterState writer lock" };
        thread.Start();
        if (state.Wait(timeout) is bool got)
        {
            if (got) return new WriterLock(handle);
            handle.Dispose();
            return null;
        }
        throw new ClusterStateException(ErrorIds.StateLocked, ClusterStateErrorKind.ResourceUnavailable,
            $"Another writer has held the lock of '{stateDirectory}' for more than {timeout.TotalSeconds:0.#} s.", path);
    }

    /// <summary>One queued wait: the thread that blocks in flock, and whether its caller is still waiting.</summary>
    private sealed class QueuedWait(Microsoft.Win32.SafeHandles.SafeFileHandle handle)
    {
        private bool _abandoned;
        private bool? _result;

        public void Run()
        {
            bool? result;
            try
            {
                result = NativeMethods.TryLockExclusive(handle) ? true : false;
            }
            catch (IOException)
            {
                result = false;
            }
            lock (this)
            {
                if (_abandoned)
                {
                    handle.Dispose(); // the caller gave up: closing the file releases the lock at once
                    return;
                }
                _result = result;
                Monitor.PulseAll(this);
            }
        }

        /// <summary>True with the lock, false when flock is not available, null on timeout (the wait is then abandoned).</summary>
        public bool? Wait(TimeSpan timeout)
        {
            var deadline = Stopwatch.StartNew();
            lock (this)
            {
                while (_result is null)
                {
                    var left = timeout - deadline.Elapsed;
                    if (left <= TimeSpan.Zero || !Monitor.Wait(this, left) && _result is null)
                    {
                        _abandoned = true;
                        return null;
                    }
                }
                return _result;
            }
        }
    }

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
