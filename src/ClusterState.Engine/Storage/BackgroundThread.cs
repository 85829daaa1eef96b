using System;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace ClusterState.Storage;

/// <summary>
/// Runs long work that must not compete with commits (a compaction's fold and write) on a thread
/// of its own at a lower scheduling priority, and waits for it: the committers, which hold the
/// writer lock for a few milliseconds each, then get the cores when they want them, and the work
/// takes what is left. The thread ends with the work, so the priority never spreads to other work
/// (an unprivileged process cannot raise a thread's priority back). Nothing that holds the writer
/// lock may run here: every committer would wait for a thread the scheduler serves last.
/// </summary>
internal static class BackgroundThread
{
    /// <summary>The nice value given on Linux (0 is normal, 19 the lowest): low enough to yield to committers, not so low that a busy machine starves it.</summary>
    private const int Nice = 10;

    /// <summary>Runs <paramref name="work"/> on a thread of lower priority and returns its result (or rethrows its exception as it was).</summary>
    public static T Run<T>(Func<T> work)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                NativeMethods.LowerThreadPriority(Nice);
                result = work();
            }
#pragma warning disable CA1031 // handed to the waiting thread, which rethrows it
            catch (Exception e)
#pragma warning restore CA1031
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        })
        {
            IsBackground = true,
            Name = "ClusterState background work",
            // Windows and macOS schedule by this; on Linux .NET ignores it (the nice value above serves).
            Priority = ThreadPriority.BelowNormal,
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }
}
