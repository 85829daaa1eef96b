using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using Xunit;
using Xunit.Abstractions;

namespace ClusterState.Engine.Tests;

/// <summary>Real writer and reader processes (tests/ClusterState.StressTool) on one state directory.</summary>
[Collection("Processes")]
public sealed class ProcessTests
{
    private readonly ITestOutputHelper _output;

    public ProcessTests(ITestOutputHelper output) => _output = output;

    private static string ToolPath => Path.Combine(AppContext.BaseDirectory, "ClusterState.StressTool.dll");

    private static string NewCounterState(TempDirectory dir, int writers, int counterBase)
    {
        var content = Enumerable.Range(0, writers)
            .Select(w => new ClusterContent { Cid = $"own-{w}", Replication = 0, Providers = Array.Empty<string>() })
            .Append(new ClusterContent { Cid = "counter", Replication = counterBase })
            .ToList();
        // A realistic amount of other data around the records under test.
        var sample = TestStates.Sample(nodes: 50, tasks: 5000, content: 1000, seed: 8);
        var state = sample.ToStateContent();
        state.Content = sample.Content.Concat(content);
        string path = dir.Combine("state");
        StateStore.Create(path, state);
        return path;
    }

    private static Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(ToolPath);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    [Fact]
    public void FourWriterProcesses_250CommitsEach_LoseNoUpdateAndReadersSeeNoTornState()
    {
        const int writers = 4, commits = 250, counterBase = 7;
        using var dir = new TempDirectory();
        string path = NewCounterState(dir, writers, counterBase);
        var reader = Start("reader", path, writers.ToString(), counterBase.ToString(), "600000");
        var procs = Enumerable.Range(0, writers).Select(w => Start("counter", path, w.ToString(), commits.ToString())).ToList();
        var acks = new List<long>();
        foreach (var p in procs)
        {
            string output = p.StandardOutput.ReadToEnd();
            string errors = p.StandardError.ReadToEnd();
            Assert.True(p.WaitForExit(300_000), "writer did not finish");
            Assert.True(p.ExitCode == 0, errors);
            acks.AddRange(output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => long.Parse(l.Split(' ')[1])));
        }
        reader.Kill();
        string readerOutput = reader.StandardOutput.ReadToEnd();
        reader.WaitForExit();
        Assert.DoesNotContain("BAD", readerOutput);

        using var s = ClusterSnapshot.Open(path);
        var items = s.FindContent(new ContentQuery { Cid = new[] { "counter", "own-*" } }).Items.ToDictionary(c => c.Cid, c => c.Replication);
        Assert.Equal(counterBase + writers * commits, items["counter"]);
        for (int w = 0; w < writers; w++) Assert.Equal(commits, items[$"own-{w}"]);
        Assert.Equal(1 + writers * commits, s.Generation);
        // Every commit got its own generation: no two writers were acknowledged the same one.
        Assert.Equal(writers * commits, acks.Distinct().Count());
        Assert.Equal(Enumerable.Range(2, writers * commits).Select(i => (long)i), acks.OrderBy(a => a));
    }

    [Fact]
    public void WriterKilledAtRandomPoints_StateOpensAtTheLastAcknowledgedGenerationOrLater()
    {
        int kills = int.TryParse(Environment.GetEnvironmentVariable("CLUSTERSTATE_CRASH_KILLS"), out int k) ? k : 40;
        using var dir = new TempDirectory();
        string path = NewCounterState(dir, 1, 0);
        var rng = new Random(5);
        long lastAck = 1;
        for (int round = 0; round < kills; round++)
        {
            var writer = Start("writer", path);
            long acked = lastAck;
            int ackCount = 0;
            var firstAck = new ManualResetEventSlim();
            writer.OutputDataReceived += (_, e) =>
            {
                if (e.Data is { } line && line.StartsWith("ack ", StringComparison.Ordinal))
                {
                    Interlocked.Exchange(ref acked, long.Parse(line.Split(' ')[1]));
                    Interlocked.Increment(ref ackCount);
                    firstAck.Set();
                }
            };
            writer.BeginOutputReadLine();
            if (!firstAck.Wait(60_000))
            {
                writer.Kill();
                Assert.Fail("the writer never committed: " + writer.StandardError.ReadToEnd());
            }
            Thread.Sleep(rng.Next(0, 60));
            writer.Kill(); // SIGKILL
            writer.WaitForExit();
            lastAck = Interlocked.Read(ref acked);

            ClusterSnapshot.ClearCache();
            using var s = ClusterSnapshot.Open(path);
            Assert.True(s.Generation >= lastAck, $"round {round}: state at {s.Generation}, last acknowledged {lastAck}");
            var items = s.FindContent(new ContentQuery { Cid = new[] { "counter", "own-0" } }).Items.ToDictionary(c => c.Cid, c => c.Replication);
            Assert.Equal(s.Generation - 1, (long)items["counter"]!); // one increment per commit, none torn
            lastAck = s.Generation;
        }
        _output.WriteLine($"{kills} kills, final generation {lastAck}");
        Assert.True(lastAck > kills, "every round committed at least once");
    }
}

[CollectionDefinition("Processes", DisableParallelization = true)]
public sealed class ProcessCollection
{
}
