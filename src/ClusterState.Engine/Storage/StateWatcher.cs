using System;
using System.IO;
using System.Threading;

namespace ClusterState;

/// <summary>
/// Waits for commits by watching <c>state_metadata.json</c> — a file of a few hundred bytes that
/// every commit replaces by rename — never the snapshot. A file-system watcher wakes the wait
/// at once; a short poll of the metadata covers file systems whose events are lost or absent
/// (network shares, some containers).
/// </summary>
public sealed class StateWatcher : IDisposable
{
    private readonly string _directory;
    private readonly FileSystemWatcher? _watcher;
    private readonly AutoResetEvent _signal = new(false);

    /// <summary>Starts watching a state directory.</summary>
    public StateWatcher(string stateDirectory, TimeSpan? pollInterval = null)
    {
        _directory = Path.GetFullPath(stateDirectory);
        PollInterval = pollInterval ?? TimeSpan.FromMilliseconds(250);
        _ = StateMetadata.Read(_directory); // a missing or broken state fails here, clearly
        try
        {
            _watcher = new FileSystemWatcher(_directory, StateMetadata.FileName) { NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite };
            _watcher.Changed += (_, _) => _signal.Set();
            _watcher.Created += (_, _) => _signal.Set();
            _watcher.Renamed += (_, _) => _signal.Set();
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            _watcher = null; // polling alone still works
        }
    }

    /// <summary>How often the metadata is read when no event arrives.</summary>
    public TimeSpan PollInterval { get; }

    /// <summary>The metadata as it is now.</summary>
    public StateMetadata Current => ReadMetadata();

    /// <summary>
    /// Returns the metadata as soon as its generation is above <paramref name="afterGeneration"/>,
    /// or null when <paramref name="timeout"/> passes first (<see cref="Timeout.InfiniteTimeSpan"/>
    /// waits for ever). Cancelling throws <see cref="OperationCanceledException"/>.
    /// </summary>
    public StateMetadata? WaitForCommit(long afterGeneration, TimeSpan timeout, CancellationToken cancel)
    {
        var deadline = timeout == Timeout.InfiniteTimeSpan ? DateTime.MaxValue : DateTime.UtcNow + timeout;
        while (true)
        {
            var metadata = ReadMetadata();
            if (metadata.Generation > afterGeneration) return metadata;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) return null;
            var wait = left < PollInterval ? left : PollInterval;
            WaitHandle.WaitAny(new[] { _signal, cancel.WaitHandle }, wait);
            cancel.ThrowIfCancellationRequested();
        }
    }

    private StateMetadata ReadMetadata()
    {
        // A writer replaces the file by rename; on platforms where that can briefly fail a read, try again.
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return StateMetadata.Read(_directory);
            }
            catch (ClusterStateException e) when (e.ErrorId == ErrorIds.StateNotFound && attempt < 20)
            {
                Thread.Sleep(5);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _watcher?.Dispose();
        _signal.Dispose();
    }
}
