using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace ClusterState.Server;

/// <summary>
/// One watcher of the served state's metadata for every long poll (<c>wait</c>): a file-system
/// watcher plus a 100 ms poll of the generation (for file systems without events) completes
/// <see cref="Next"/> whenever the generation moves. Waiters await that task instead of
/// blocking a thread each, so a thousand open polls cost a thousand small objects, not a
/// thousand thread-pool threads that would starve every other call.
/// </summary>
public sealed class CommitSignal : IDisposable
{
    private readonly string _directory;
    private readonly FileSystemWatcher? _watcher;
    private readonly Timer _poll;
    private TaskCompletionSource _next = NewSource();
    private long _generation;
    private int _watchers; // the poll runs only while a long poll is open: an idle server reads nothing

    public CommitSignal(ServerOptions options)
    {
        _directory = options.StatePath;
        Feed = new ChangeFeed(_directory);
        Observe();
        _generation = ReadGeneration();
        try
        {
            _watcher = new FileSystemWatcher(_directory, StateMetadata.FileName) { NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite };
            _watcher.Changed += (_, _) => Check();
            _watcher.Created += (_, _) => Check();
            _watcher.Renamed += (_, _) => Check();
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            _watcher = null; // the poll alone still works
        }
        _poll = new Timer(_ =>
        {
            if (Volatile.Read(ref _watchers) > 0) Check();
        }, null, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100));
    }

    /// <summary>Counts a long poll as open until the result is disposed (the generation is polled only then).</summary>
    public IDisposable Watch()
    {
        Interlocked.Increment(ref _watchers);
        return new Watcher(this);
    }

    private sealed class Watcher(CommitSignal owner) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0) Interlocked.Decrement(ref owner._watchers);
        }
    }

    /// <summary>
    /// The served state's change feed (the <c>changes</c> action): it opens each commit log as the
    /// generation moves, so commits a compaction folds away stay readable for clients still behind.
    /// </summary>
    public ChangeFeed Feed { get; }

    /// <summary>Completes at the next change of the generation. Take it before reading the metadata, so no commit falls between.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    /// <summary>Re-reads the generation and wakes the waiters when it moved (also called after the server's own commits).</summary>
    public void Check()
    {
        long generation = ReadGeneration();
        if (generation == Interlocked.Exchange(ref _generation, generation)) return;
        Observe();
        Interlocked.Exchange(ref _next, NewSource()).TrySetResult();
    }

    /// <summary>Lets the feed open the log of the new generation; best effort (a log it misses makes older changes unknown, nothing worse).</summary>
    private void Observe()
    {
        try
        {
            Feed.Observe();
        }
#pragma warning disable CA1031 // runs on file-system events and a timer: anything thrown here would end the server process
        catch (Exception)
        {
        }
#pragma warning restore CA1031
    }

    private long ReadGeneration()
    {
        try
        {
            return StateMetadata.Read(_directory).Generation;
        }
#pragma warning disable CA1031 // runs on a timer: anything thrown here would end the server process
        catch (Exception)
        {
            return Volatile.Read(ref _generation); // mid-rename, damaged or gone: the waiters read it themselves and report it
        }
#pragma warning restore CA1031
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Dispose()
    {
        _poll.Dispose();
        _watcher?.Dispose();
        Feed.Dispose();
    }
}
