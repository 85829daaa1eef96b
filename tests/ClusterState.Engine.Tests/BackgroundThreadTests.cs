using System;
using System.IO;
using System.Threading;
using ClusterState.Storage;
using Xunit;

namespace ClusterState.Engine.Tests;

/// <summary>
/// The thread a compaction folds on: its result and its exceptions come back to the caller as
/// they were, it runs at a lower priority than the committers (Linux: a higher nice value for that
/// thread alone), and the caller's own priority is left as it was.
/// </summary>
public class BackgroundThreadTests
{
    [Fact]
    public void Run_ReturnsTheResult_OnAnotherThread()
    {
        int caller = Environment.CurrentManagedThreadId;
        int ran = BackgroundThread.Run(_ => Environment.CurrentManagedThreadId);
        Assert.NotEqual(caller, ran);
    }

    [Fact]
    public void Run_RethrowsTheWorksExceptionAsItWas()
    {
        var e = Assert.Throws<ClusterStateException>(() => BackgroundThread.Run<int>(_ =>
            throw new ClusterStateException(ErrorIds.SnapshotCorrupt, ClusterStateErrorKind.InvalidData, "damaged", "here")));
        Assert.Equal(ErrorIds.SnapshotCorrupt, e.ErrorId);
        Assert.Contains(nameof(Run_RethrowsTheWorksExceptionAsItWas), e.StackTrace ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public void Run_LowersTheWorkersPriorityAlone()
    {
        if (!OperatingSystem.IsLinux()) return;
        int before = Nice();
        int during = BackgroundThread.Run(_ => Nice());
        Assert.True(during > before, $"nice {during} in the work, {before} outside it");
        Assert.Equal(before, Nice());
    }

    [Fact]
    public void Reports_ReachTheCallersThread_InOrder_WhileTheWorkWaits()
    {
        // A cmdlet's progress may only be written from its own thread, and a caller that acts on a
        // report (a test committing between the fold and the switch) must see the work wait for it.
        int caller = Environment.CurrentManagedThreadId;
        var seen = new System.Collections.Generic.List<string>();
        int workStep = 0;
        string result = BackgroundThread.Run(report =>
        {
            for (int i = 1; i <= 3; i++)
            {
                workStep = i;
                report!("step " + i);
            }
            return "done";
        }, message =>
        {
            Assert.Equal(caller, Environment.CurrentManagedThreadId);
            seen.Add($"{message} at {Volatile.Read(ref workStep)}");
        });
        Assert.Equal("done", result);
        Assert.Equal(new[] { "step 1 at 1", "step 2 at 2", "step 3 at 3" }, seen);
    }

    [Fact]
    public void AReportThatThrows_FailsTheWork_WithItsException()
    {
        bool after = false;
        var e = Assert.Throws<InvalidOperationException>(() => BackgroundThread.Run<int>(report =>
        {
            report!("first");
            after = true;
            return 1;
        }, _ => throw new InvalidOperationException("the caller gave up")));
        Assert.Equal("the caller gave up", e.Message);
        Assert.False(after, "the work stopped at the report that failed");
    }

    /// <summary>The calling thread's nice value (field 19 of /proc/thread-self/stat, after the parenthesised name).</summary>
    private static int Nice()
    {
        string stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[16], System.Globalization.CultureInfo.InvariantCulture); // field 19 overall; 3 is the first after the name
    }
}
