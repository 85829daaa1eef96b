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
        int ran = BackgroundThread.Run(() => Environment.CurrentManagedThreadId);
        Assert.NotEqual(caller, ran);
    }

    [Fact]
    public void Run_RethrowsTheWorksExceptionAsItWas()
    {
        var e = Assert.Throws<ClusterStateException>(() => BackgroundThread.Run<int>(() =>
            throw new ClusterStateException(ErrorIds.SnapshotCorrupt, ClusterStateErrorKind.InvalidData, "damaged", "here")));
        Assert.Equal(ErrorIds.SnapshotCorrupt, e.ErrorId);
        Assert.Contains(nameof(Run_RethrowsTheWorksExceptionAsItWas), e.StackTrace ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public void Run_LowersTheWorkersPriorityAlone()
    {
        if (!OperatingSystem.IsLinux()) return;
        int before = Nice();
        int during = BackgroundThread.Run(Nice);
        Assert.True(during > before, $"nice {during} in the work, {before} outside it");
        Assert.Equal(before, Nice());
    }

    /// <summary>The calling thread's nice value (field 19 of /proc/thread-self/stat, after the parenthesised name).</summary>
    private static int Nice()
    {
        string stat = File.ReadAllText("/proc/thread-self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[16], System.Globalization.CultureInfo.InvariantCulture); // field 19 overall; 3 is the first after the name
    }
}
