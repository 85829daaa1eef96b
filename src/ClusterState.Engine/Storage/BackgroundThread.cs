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

    /// <summary>
    /// Runs <paramref name="work"/> on a thread of lower priority and returns its result (or
    /// rethrows its exception as it was). What the work reports goes to <paramref name="report"/>
    /// on the calling thread, and the work waits until it returns: a cmdlet's progress callback
    /// may only write from its pipeline's thread, and a caller that acts between two steps of the
    /// work (tests commit between the fold and the switch) sees them in order.
    /// </summary>
    public static T Run<T>(Func<Action<string>?, T> work, Action<string>? report = null)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null, reportFailure = null;
        string message = "";
        bool finished = false;
        using var asked = new SemaphoreSlim(0);
        using var answered = new SemaphoreSlim(0);
        Action<string>? relay = report is null ? null : m =>
        {
            message = m;
            asked.Release();
            answered.Wait();
            reportFailure?.Throw(); // the report failed: the work fails with it, as if it had called it itself
        };
        var thread = new Thread(() =>
        {
            try
            {
                NativeMethods.LowerThreadPriority(Nice);
                result = work(relay);
            }
#pragma warning disable CA1031 // handed to the waiting thread, which rethrows it
            catch (Exception e)
#pragma warning restore CA1031
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                Volatile.Write(ref finished, true);
                asked.Release();
            }
        })
        {
            IsBackground = true,
            Name = "ClusterState background work",
            // Windows and macOS schedule by this; on Linux .NET ignores it (the nice value above serves).
            Priority = ThreadPriority.BelowNormal,
        };
        thread.Start();
        while (true)
        {
            asked.Wait();
            if (Volatile.Read(ref finished)) break;
            try
            {
                report!(message);
            }
#pragma warning disable CA1031 // handed back to the work, which fails with it
            catch (Exception e)
#pragma warning restore CA1031
            {
                reportFailure = ExceptionDispatchInfo.Capture(e);
            }
            answered.Release();
        }
        thread.Join();
        failure?.Throw();
        return result;
    }
}
