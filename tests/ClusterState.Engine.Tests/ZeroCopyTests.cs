using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace ClusterState.Engine.Tests;

/// <summary>A 1M-task state and a 1k-task state, made once for the zero-copy proofs.</summary>
public sealed class ScaleStatesFixture : IDisposable
{
    private readonly TempDirectory _dir = new();

    public ScaleStatesFixture()
    {
        Small = TestStates.Create(_dir, TestStates.Sample(nodes: 100, tasks: 1_000, content: 1_000, seed: 5), "small");
        Large = TestStates.Create(_dir, TestStates.Sample(nodes: 1_000, tasks: 1_000_000, content: 10_000, seed: 5), "large");
    }

    public string Small { get; }

    public string Large { get; }

    public void Dispose() => _dir.Dispose();
}

public sealed class ZeroCopyTests : IClassFixture<ScaleStatesFixture>
{
    private readonly ScaleStatesFixture _states;
    private readonly ITestOutputHelper _output;

    public ZeroCopyTests(ScaleStatesFixture states, ITestOutputHelper output)
    {
        _states = states;
        _output = output;
    }

    [Fact]
    public void Open_MillionTasks_EveryBufferIsASliceOfTheMapping()
    {
        using var s = ClusterSnapshot.Open(_states.Large);
        Assert.Equal(1_000_000, s.TaskCount);
        Assert.True(s.IsZeroCopy());
    }

    [Fact]
    public void OpenAndScan_MillionTasks_AddsNoAnonymousMemoryOfTheStatesSize()
    {
        if (!OperatingSystem.IsLinux()) return; // RssAnon comes from /proc
        long fileBytes = new FileInfo(Directory.GetFiles(_states.Large, "*.arrow").Single()).Length;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = RssAnonBytes();
        using (var s = ClusterSnapshot.Open(_states.Large))
        {
            // Touch the status and type columns of every task, as a query does.
            int pending = s.FindTasks(new TaskQuery { Status = new[] { "pending" }, Type = new[] { "inference" } }).Count;
            Assert.True(pending > 0);
            long after = RssAnonBytes();
            _output.WriteLine($"snapshot {fileBytes / 1048576} MiB, anonymous memory +{(after - before) / 1048576.0:0.0} MiB");
            // The result selection is a few hundred KiB; a copy of the state would be hundreds of MiB.
            Assert.True(after - before < fileBytes / 20, $"anonymous memory grew by {after - before} bytes for a {fileBytes}-byte snapshot");
        }
    }

    [Fact]
    public void Open_MillionTasks_CostsAboutTheSameAsAThousand()
    {
        double small = MedianOpenMilliseconds(_states.Small);
        double large = MedianOpenMilliseconds(_states.Large);
        _output.WriteLine($"median open: 1k tasks {small:0.000} ms, 1M tasks {large:0.000} ms");
        // Opening maps the file and reads the schema and the batch's metadata: no work per row.
        // A copying open (ArrowFileReader) takes 0.5-1 s here; the bound leaves room for a noisy machine.
        Assert.True(large < Math.Max(small * 5, 2.0), $"1M-task open {large} ms vs 1k-task open {small} ms");
    }

    private static double MedianOpenMilliseconds(string path)
    {
        // Measure a real open (map + read the messages): the cache is cleared before each one.
        for (int i = 0; i < 5; i++)
        {
            ClusterSnapshot.ClearCache();
            ClusterSnapshot.Open(path).Dispose();
        }
        var times = new double[31];
        var watch = new Stopwatch();
        for (int i = 0; i < times.Length; i++)
        {
            ClusterSnapshot.ClearCache();
            watch.Restart();
            var s = ClusterSnapshot.Open(path);
            watch.Stop();
            s.Dispose();
            times[i] = watch.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return times[times.Length / 2];
    }

    private static long RssAnonBytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("RssAnon:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}
