using System;
using System.Collections.Generic;
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
        string path = Path.Combine(stateDirectory, fileName);
        if (OperatingSystem.IsLinux() && TryOpenForLock(path) is { } handle)
        {
            // The same flock as the open below takes, asked for without an exception when it is busy.
            bool? taken;
            try
            {
                taken = NativeMethods.TryLockExclusiveNow(handle);
            }
            catch
            {
                handle.Dispose();
                throw;
            }
            if (taken == true) return new WriterLock(handle);
            handle.Dispose();
            if (taken == false) return null;
        }
        try
        {
            return Open(path);
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
    /// Runs <paramref name="body"/> with the lock held and returns its result; the lock is released
    /// when it returns or throws. On Linux the body runs on the thread that waited in the kernel's
    /// queue, as soon as it gets the lock: handing the lock from one process to the next then
    /// wakes one thread, not two (the waiting thread, then the caller) — measured with eight
    /// writer processes on two cores, the second wake-up was a third of a commit's turn.
    /// The body must not depend on the calling thread (async-local values flow to it).
    /// <paramref name="whileQueued"/>, when given, runs on the calling thread every
    /// <paramref name="every"/> while it waits in the queue (work that makes the body shorter).
    /// </summary>
    public static T Run<T>(string stateDirectory, TimeSpan timeout, Func<T> body, string fileName = FileName, Action? whileQueued = null, TimeSpan every = default)
    {
        string path = Path.Combine(stateDirectory, fileName);
        if (OperatingSystem.IsLinux() && Queue(path, () => body()) is { } state)
        {
            if (state.Wait(timeout, whileQueued, every) is not bool got) throw Locked(stateDirectory, timeout, path);
            if (got) return (T)state.Finish()!;
            state.Handle.Dispose(); // no flock here: the usual lock below
        }
        using (Acquire(stateDirectory, timeout, fileName)) return body();
    }

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
        if (Queue(path, null) is not { } state) return null;
        if (state.Wait(timeout) is bool got)
        {
            if (got) return new WriterLock(state.Handle);
            state.Handle.Dispose();
            return null;
        }
        throw Locked(stateDirectory, timeout, path);
    }

    /// <summary>
    /// Opens the lock file and starts the thread that waits for it in the kernel's queue (and
    /// then runs <paramref name="body"/>, if given); null where the platform has no flock or the
    /// path cannot be a lock (the usual open then reports why).
    /// </summary>
    private static QueuedWait? Queue(string path, Func<object?>? body)
    {
        if (TryOpenForLock(path) is not { } handle) return null;
        var state = new QueuedWait(handle, body);
        WaitThread.Start(state);
        return state;
    }

    /// <summary>
    /// The lock file opened for a flock of our own (Linux); null where that is not available or the
    /// path cannot be a lock (the usual open then reports why).
    /// </summary>
    private static Microsoft.Win32.SafeHandles.SafeFileHandle? TryOpenForLock(string path)
    {
        try
        {
            return NativeMethods.OpenForLock(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The threads that wait in flock and run the locked bodies, kept for the next wait: starting
    /// a thread for every commit was a twentieth of eight writer processes' time. A thread idle
    /// for a minute ends. The body runs in its caller's execution context (async-local values flow
    /// to it, as they did to a thread started for it).
    /// </summary>
    private sealed class WaitThread
    {
        private static readonly List<WaitThread> Idle = new();
        private static readonly TimeSpan IdleLife = TimeSpan.FromMinutes(1);
        private (QueuedWait Wait, ExecutionContext? Context)? _work;

        public static void Start(QueuedWait wait)
        {
            var work = (wait, ExecutionContext.Capture());
            WaitThread? thread = null;
            lock (Idle)
            {
                if (Idle.Count > 0)
                {
                    thread = Idle[^1];
                    Idle.RemoveAt(Idle.Count - 1);
                }
            }
            if (thread is null)
            {
                thread = new WaitThread { _work = work };
                new Thread(thread.Loop) { IsBackground = true, Name = "ClusterState writer lock" }.Start();
                return;
            }
            lock (thread)
            {
                thread._work = work;
                Monitor.Pulse(thread);
            }
        }

        private void Loop()
        {
            while (true)
            {
                (QueuedWait Wait, ExecutionContext? Context) work;
                lock (this)
                {
                    while (_work is null)
                    {
                        if (Monitor.Wait(this, IdleLife) || _work is not null) continue;
                        lock (Idle)
                        {
                            // Still idle (not taken by a Start that is about to hand it work): it ends.
                            if (Idle.Remove(this)) return;
                        }
                    }
                    work = _work.Value;
                    _work = null;
                }
                if (work.Context is { } context) ExecutionContext.Run(context, static w => ((QueuedWait)w!).Run(), work.Wait);
                else work.Wait.Run();
                lock (Idle) Idle.Add(this);
            }
        }
    }

    private static ClusterStateException Locked(string stateDirectory, TimeSpan timeout, string path) =>
        new(ErrorIds.StateLocked, ClusterStateErrorKind.ResourceUnavailable,
            $"Another writer has held the lock of '{stateDirectory}' for more than {timeout.TotalSeconds:0.#} s.", path);

    /// <summary>
    /// One queued wait: the thread that blocks in flock, and whether its caller is still waiting.
    /// With a body, the thread runs it once it has the lock, releases the lock, and hands the
    /// result (or the exception) to the caller (<see cref="Finish"/>).
    /// </summary>
    private sealed class QueuedWait(Microsoft.Win32.SafeHandles.SafeFileHandle handle, Func<object?>? body)
    {
        /// <summary>The lock file's handle: the lock, once the wait is won (closing it releases the lock).</summary>
        public Microsoft.Win32.SafeHandles.SafeFileHandle Handle => handle;

        private bool _abandoned;
        private bool? _result;
        private bool _done;
        private object? _value;
        private System.Runtime.ExceptionServices.ExceptionDispatchInfo? _error;

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
                if (body is null || result != true)
                {
                    Monitor.PulseAll(this);
                    return;
                }
            }
            try
            {
                _value = body();
            }
#pragma warning disable CA1031 // handed to the caller's thread, which throws it
            catch (Exception e)
#pragma warning restore CA1031
            {
                _error = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                handle.Dispose(); // the lock is released before the caller wakes
            }
            lock (this)
            {
                _done = true;
                Monitor.PulseAll(this);
            }
        }

        /// <summary>
        /// True with the lock, false when flock is not available, null on timeout (the wait is then
        /// abandoned). <paramref name="whileQueued"/> runs every <paramref name="every"/> of the
        /// wait, outside this wait's monitor (the lock thread reports to it meanwhile).
        /// </summary>
        public bool? Wait(TimeSpan timeout, Action? whileQueued = null, TimeSpan every = default)
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                lock (this)
                {
                    if (_result is not null) return _result;
                    var left = timeout - deadline.Elapsed;
                    if (left <= TimeSpan.Zero)
                    {
                        _abandoned = true;
                        return null;
                    }
                    if (whileQueued is not null && every > TimeSpan.Zero && every < left) left = every;
                    if (Monitor.Wait(this, left) || _result is not null || whileQueued is null) continue;
                }
                whileQueued();
            }
        }

        /// <summary>Waits for the body the lock thread runs, and returns its result or throws its exception.</summary>
        public object? Finish()
        {
            lock (this)
            {
                while (!_done) Monitor.Wait(this);
            }
            _error?.Throw();
            return _value;
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
