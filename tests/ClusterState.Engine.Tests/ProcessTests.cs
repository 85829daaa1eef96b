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

    private static string NewCounterState(TempDirectory dir, int writers, int counterBase, int tasks = 5000)
    {
        var content = Enumerable.Range(0, writers)
            .Select(w => new ClusterContent { Cid = $"own-{w}", Replication = 0, Providers = Array.Empty<string>() })
            .Append(new ClusterContent { Cid = "counter", Replication = counterBase })
            .ToList();
        // A realistic amount of other data around the records under test.
        var sample = TestStates.Sample(nodes: 50, tasks: tasks, content: 1000, seed: 8);
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
    public void EightWriterProcesses_125CommitsEach_LoseNoUpdateAndReadersSeeNoTornState()
    {
        // Issue 15 asks for eight writer processes (the benchmark runs 8 x 500 with the timings);
        // here as many processes with the 1,000 commits four used to make, so CI takes no longer.
        const int writers = 8, commits = 125, counterBase = 7;
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
        var bases = new HashSet<string>(StringComparer.Ordinal); // more than one: the writer compacted in the background
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
            // A record torn by the kill lies past log_length, where readers do not look.
            Assert.Null(s.LogDamage);
            var items = s.FindContent(new ContentQuery { Cid = new[] { "counter", "own-0" } }).Items.ToDictionary(c => c.Cid, c => c.Replication);
            Assert.Equal(s.Generation - 1, (long)items["counter"]!); // one increment per commit, none torn
            Assert.Equal((50, 5000, 1002), (s.Nodes.Count, s.Tasks.Count, s.Content.Count));
            bases.Add(StateMetadata.Read(path).Snapshot);
            lastAck = s.Generation;
        }
        _output.WriteLine($"{kills} kills, final generation {lastAck}, {bases.Count} bases seen");
        Assert.True(lastAck > kills, "every round committed at least once");
    }

    [Fact]
    public void CompactorKilledAtRandomPoints_StateOpensAtTheLastAcknowledgedGenerationOrLater()
    {
        // Kills that land while a compaction runs (fold, write, switch), not counting those between compactions.
        int kills = int.TryParse(Environment.GetEnvironmentVariable("CLUSTERSTATE_COMPACTION_KILLS"), out int k) ? k : 8;
        using var dir = new TempDirectory();
        string path = NewCounterState(dir, 1, 0);
        var rng = new Random(7);
        long lastAck = 1;
        int rounds = 0, during = 0, switched = 0, gaveUp = 0, leftoverBases = 0;
        var phases = new Dictionary<string, int>(StringComparer.Ordinal);
        long cycle = 100; // ms a compaction took last time; kills are spread over about one
        while (during < kills)
        {
            Assert.True(rounds < kills * 6, $"only {during} of {rounds} kills landed in a compaction");
            rounds++;
            var trace = new List<string>();
            var roundClock = Stopwatch.StartNew();
            var compactor = Start("compactor", path);
            long acked = lastAck;
            string last = "";
            int folds = 0;
            // Counted from the k-th time a phase starts, the kills fall in every phase of warm compactions
            // (the first of a process is slow, JIT) and in the carrying of commits made meanwhile.
            int wantFolds = rng.Next(1, 25);
            string startPhase = "phase " + new[] { "fold", "write", "switch" }[rng.Next(3)];
            var started = new ManualResetEventSlim();
            var gate = new object();
            compactor.OutputDataReceived += (_, e) =>
            {
                if (e.Data is not { } line) return;
                lock (gate)
                {
                    if (line.StartsWith("ack ", StringComparison.Ordinal)) acked = long.Parse(line.Split(' ')[1]);
                    else
                    {
                        trace.Add($"{roundClock.ElapsedMilliseconds} ms {line} (acked {acked})");
                        last = line;
                        if (line.StartsWith("compacted ", StringComparison.Ordinal))
                        {
                            var parts = line.Split(' ');
                            cycle = Math.Max(5, long.Parse(parts[2]));
                            if (parts[1] != "none") switched++;
                            else gaveUp++;
                        }
                        if (line == startPhase && ++folds >= wantFolds) started.Set();
                    }
                }
            };
            compactor.BeginOutputReadLine();
            var patience = Stopwatch.StartNew();
            while (!started.Wait(50))
            {
                if (compactor.HasExited || patience.Elapsed > TimeSpan.FromSeconds(60))
                {
                    compactor.Kill();
                    Assert.Fail($"round {rounds}: the compactor stopped or never started a compaction: " + compactor.StandardError.ReadToEnd());
                }
            }
            Thread.Sleep(rng.Next(0, (int)Math.Min(2000, cycle / 2) + 1));
            if (compactor.HasExited) Assert.Fail($"round {rounds}: the compactor failed: " + compactor.StandardError.ReadToEnd());
            compactor.Kill(); // SIGKILL
            compactor.WaitForExit();
            lock (gate) _output.WriteLine($"round {rounds}: … " + string.Join(" | ", trace.TakeLast(4)) + $" | killed at {roundClock.ElapsedMilliseconds} ms");
            string where;
            lock (gate)
            {
                lastAck = acked;
                where = last;
            }
            if (where.StartsWith("phase ", StringComparison.Ordinal))
            {
                during++;
                phases[where[6..]] = phases.GetValueOrDefault(where[6..]) + 1;
            }

            ClusterSnapshot.ClearCache();
            var metadata = StateMetadata.Read(path);
            using (var s = ClusterSnapshot.Open(path))
            {
                Assert.True(s.Generation >= lastAck, $"round {rounds}: state at {s.Generation}, last acknowledged {lastAck}");
                Assert.Null(s.LogDamage);
                var items = s.FindContent(new ContentQuery { Cid = new[] { "counter", "own-0" } }).Items.ToDictionary(c => c.Cid, c => c.Replication);
                Assert.Equal(s.Generation - 1, (long)items["counter"]!); // one increment per commit, none torn or lost
                Assert.Equal((50, 5000, 1002), (s.Nodes.Count, s.Tasks.Count, s.Content.Count));
                lastAck = s.Generation;
            }
            // A base written by a compaction that did not get to switch: no reader looks at it.
            long baseGeneration = Generation(metadata.Snapshot);
            if (BaseFiles(path).Any(g => g > baseGeneration)) leftoverBases++;
        }

        // What the kills left must not disturb one more compaction, and that changes no answer.
        // A commit first: like the compaction, it adopts a record a killed writer appended after
        // the published length (which readers do not read), so the answers before are a writer's.
        lastAck = StateStore.Commit(path, new ChangeSet { UpdateContent = { new ContentUpdate { Cid = "counter", ReplicationDelta = 1 } } }).Generation;
        ClusterSnapshot.ClearCache();
        var before = Answers(path);
        long? compacted = StateStore.Compact(path);
        StateStore.WaitForCleanup();
        ClusterSnapshot.ClearCache();
        var after = Answers(path);
        Assert.Equal(before, after);
        var final = StateMetadata.Read(path);
        Assert.Equal(lastAck, final.Generation);
        Assert.True(compacted is null || compacted == final.Generation);
        long finalBase = Generation(final.Snapshot);
        Assert.DoesNotContain(BaseFiles(path), g => g <= finalBase - 3);
        int temporaries = Directory.GetFiles(path, "*.tmp-*").Length;
        _output.WriteLine($"{rounds} kills, {during} during a compaction ({string.Join(", ", phases.OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}"))}), " +
            $"{switched} compactions switched and {gaveUp} gave up, {leftoverBases} rounds left an unswitched base, {temporaries} temporary files left (removed after 10 minutes), final generation {lastAck}");
        Assert.True(switched > 0, "some compactions switched");
    }

    [Fact]
    public async System.Threading.Tasks.Task CompactionWhileFourWriterProcessesCommit_LosesNothing()
    {
        // Issue 15: compaction must not hold writers up. Timings are printed, not asserted (they
        // belong to benchmarks); what is asserted is that every acknowledged commit is in the state.
        const int writers = 4, counterBase = 3;
        using var dir = new TempDirectory();
        string path = NewCounterState(dir, writers, counterBase, tasks: 20_000);
        string stop = dir.Combine("stop");
        var procs = Enumerable.Range(0, writers).Select(w => Start("timed", path, w.ToString(), stop)).ToList();
        var outputs = procs.Select(p => p.StandardOutput.ReadToEndAsync()).ToList();
        var errors = procs.Select(p => p.StandardError.ReadToEndAsync()).ToList();

        // A log worth folding, then the compaction while the writers go on.
        var wait = Stopwatch.StartNew();
        while (StateMetadata.Read(path).Generation < 1 + 200 && wait.Elapsed < TimeSpan.FromMinutes(2)) Thread.Sleep(20);
        var marks = new List<(string Phase, long At)>();
        long from = DateTime.UtcNow.Ticks;
        long? compacted = StateStore.Compact(path, phase => marks.Add((phase, DateTime.UtcNow.Ticks)));
        long to = DateTime.UtcNow.Ticks;
        Thread.Sleep(300);
        File.WriteAllText(stop, "");

        var acks = new List<(int Writer, long Generation, int I, double LockWait, double Elapsed, long Start)>();
        for (int w = 0; w < writers; w++)
        {
            Assert.True(procs[w].WaitForExit(120_000), "writer did not stop");
            Assert.True(procs[w].ExitCode == 0, await errors[w]);
            foreach (var line in (await outputs[w]).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var f = line.Split(' ');
                acks.Add((w, long.Parse(f[1]), int.Parse(f[2]), double.Parse(f[3], System.Globalization.CultureInfo.InvariantCulture),
                    double.Parse(f[4], System.Globalization.CultureInfo.InvariantCulture), long.Parse(f[5])));
            }
        }

        Assert.NotNull(compacted);
        ClusterSnapshot.ClearCache();
        using (var s = ClusterSnapshot.Open(path))
        {
            Assert.Null(s.LogDamage);
            var items = s.FindContent(new ContentQuery { Cid = new[] { "counter", "own-*" } }).Items.ToDictionary(c => c.Cid, c => c.Replication);
            Assert.Equal(counterBase + acks.Count, items["counter"]);
            for (int w = 0; w < writers; w++) Assert.Equal(acks.Where(a => a.Writer == w).Max(a => a.I), items[$"own-{w}"]);
            Assert.Equal(1 + acks.Count, s.Generation);
            Assert.Equal(Enumerable.Range(2, acks.Count).Select(i => (long)i), acks.Select(a => a.Generation).OrderBy(g => g));
            Assert.Equal(20_000, s.Tasks.Count);
        }
        Assert.Equal(StateStore.SnapshotFileName(compacted!.Value), StateMetadata.Read(path).Snapshot);

        // Commits that overlapped the compaction, its switch, and the rest.
        long switchAt = marks.Single(m => m.Phase == "switch").At;
        bool Overlaps((int, long, int, double, double Elapsed, long Start) a, long a0, long a1) => a.Start < a1 && a.Start + (long)(a.Elapsed * TimeSpan.TicksPerMillisecond) > a0;
        string Stats(string what, IEnumerable<(int, long, int, double LockWait, double Elapsed, long)> set)
        {
            var list = set.ToList();
            if (list.Count == 0) return $"{what}: no commits";
            double P(IEnumerable<double> v, double q)
            {
                var sorted = v.OrderBy(x => x).ToArray();
                return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
            }
            return $"{what}: {list.Count} commits, latency p50 {P(list.Select(a => a.Elapsed), 0.5):F1} ms p99 {P(list.Select(a => a.Elapsed), 0.99):F1} ms max {list.Max(a => a.Elapsed):F1} ms, " +
                $"lock wait p50 {P(list.Select(a => a.LockWait), 0.5):F1} ms p99 {P(list.Select(a => a.LockWait), 0.99):F1} ms max {list.Max(a => a.LockWait):F1} ms";
        }
        _output.WriteLine($"compaction of 20,000 tasks to base {compacted}: {(to - from) / 1e4:F0} ms (" +
            string.Join(", ", marks.Select(m => $"{m.Phase} at {(m.At - from) / 1e4:F0} ms")) + ")");
        _output.WriteLine(Stats("during the compaction", acks.Where(a => Overlaps(a, from, to))));
        _output.WriteLine(Stats("during its switch", acks.Where(a => Overlaps(a, switchAt, to))));
        _output.WriteLine(Stats("outside it", acks.Where(a => !Overlaps(a, from, to))));
        _output.WriteLine("commits per writer: " + string.Join(", ", acks.GroupBy(a => a.Writer).OrderBy(g => g.Key).Select(g => g.Count())) +
            "; longest lock waits: " + string.Join(", ", acks.OrderByDescending(a => a.LockWait).Take(5)
                .Select(a => $"{a.LockWait:F0} ms (writer {a.Writer}, commit {a.I}, from {(a.Start - from) / 1e4:F0} ms)")));
    }

    private static long Generation(string snapshotName) =>
        long.Parse(snapshotName["snapshot_".Length..^".arrow".Length], System.Globalization.CultureInfo.InvariantCulture);

    private static IEnumerable<long> BaseFiles(string path) =>
        Directory.GetFiles(path, "snapshot_*.arrow").Select(f => Generation(Path.GetFileName(f)));

    private static string Answers(string path)
    {
        using var s = ClusterSnapshot.Open(path);
        var content = s.FindContent(new ContentQuery()).Items.Select(c => $"{c.Cid}={c.Replication}");
        var tasks = s.FindTasks(new TaskQuery()).Items.Select(t => $"{t.Id}:{t.Status}:{t.AssignedTo}");
        return $"{s.Generation}|{string.Join(",", content)}|{string.Join(",", tasks)}";
    }
}

[CollectionDefinition("Processes", DisableParallelization = true)]
public sealed class ProcessCollection
{
}
