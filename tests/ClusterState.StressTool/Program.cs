// Writer and reader processes for the multi-process tests.
//   counter <dir> <writer> <commits> [<start file> [group|nogroup [warm|cold]]]
//                                      each commit sets content own-<writer>.replication = i and adds 1 to counter,
//                                      printing "ack <generation> <i> <elapsed ms> <start UTC ticks>" at the end; with a
//                                      start file, opens the state, prints "ready" and commits once the file exists;
//                                      "warm" first commits on a small private state (two threads, until the JIT settles), as a writer
//                                      that has run a while has (the JIT has compiled the commit path optimised);
//                                      with CLUSTERSTATE_PHASES set, prints each commit phase's mean ms, the KiB allocated per commit
//                                      and the gen-0 collections to stderr at the end
//   reader <dir> <writers> <base> <ms> [<stop file> [warm]]
//                                      "warm" first reads and checks a small private state as it commits (until the JIT settles),
//                                      then the state once, and prints "ready";
//                                      opens the state again and again (for ms, or until the stop file exists),
//                                      pausing 1 ms when the generation has not moved; checks in every generation
//                                      it sees that counter = base + sum(own-*)
//   compact <dir>                      folds the log into a new base (StateStore.Compact), printing "compacted <base generation or none>"
//   writer <dir>                       commits forever (own-0 = i, counter + 1), printing "ack <generation> <i>"
//   compactor <dir>                    the writer's commits on a thread (with automatic compaction every 64 records)
//                                      and a silent compaction loop on another, racing the main thread's loop, printing "phase <name>" as each compaction moves on and
//                                      "compacted <base generation or none> <ms>" when it is done
//   timed <dir> <writer> <stop file>   commits like counter until the stop file exists, without automatic
//                                      compaction, printing "ack <generation> <i> <lock wait ms> <elapsed ms> <start UTC ticks>"
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using ClusterState;

switch (args[0])
{
    case "counter":
    {
        string dir = args[1];
        int writer = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        int commits = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
        if (args.Length > 4)
        {
            // The benchmark starts all writers at once: process start and the first open are not its subject.
            if (args.Length > 6 && args[6] == "warm")
            {
                WarmUp();
                // A writer that has run a while also holds the id index of the rows it changes
                // (its reads and commits built it once per base; a million ids take a quarter of a second).
                using var s = ClusterSnapshot.Open(dir);
                s.FindContent(new ContentQuery { Cid = [$"own-{writer}", "counter"] });
            }
            using (ClusterSnapshot.Open(dir)) { }
            Console.Out.WriteLine("ready");
            Console.Out.Flush();
            while (!File.Exists(args[4])) Thread.Sleep(1);
        }
        var lines = new System.Text.StringBuilder();
        var phaseSums = new Dictionary<string, double>(StringComparer.Ordinal);
        // "nogroup": each commit flushes its record and metadata under the lock (CommitOptions.GroupCommit off), for the benchmark's comparison.
        var options = new CommitOptions { LockTimeout = TimeSpan.FromMinutes(2), GroupCommit = args.Length <= 5 || args[5] != "nogroup" };
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        int collections = GC.CollectionCount(0), collections2 = GC.CollectionCount(2);
        var paused = GC.GetTotalPauseDuration();
        long jitted = System.Runtime.JitInfo.GetCompiledMethodCount();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var threadsBefore = ThreadTicks();
        int exceptions = 0;
        var thrown = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        AppDomain.CurrentDomain.FirstChanceException += (_, e) =>
        {
            Interlocked.Increment(ref exceptions);
            thrown.AddOrUpdate($"{e.Exception.GetType().Name} at {e.Exception.TargetSite?.DeclaringType?.Name}.{e.Exception.TargetSite?.Name}", 1, (_, n) => n + 1);
        };
        for (int i = 1; i <= commits; i++)
        {
            long start = DateTime.UtcNow.Ticks;
            var clock = Stopwatch.StartNew();
            var result = StateStore.Commit(dir, Increment($"own-{writer}", i), options);
            // Printed at the end: writing to the pipe while others commit would time the pipe too.
            Note(lines, phaseSums, result, i, clock.Elapsed.TotalMilliseconds, start);
        }
        Console.Out.Write(lines.ToString());
        if (Environment.GetEnvironmentVariable("CLUSTERSTATE_PHASES") is not null)
            Console.Error.WriteLine(string.Join(" ", phaseSums.Select(kv => $"{kv.Key}={kv.Value / commits:F2}"))
                + $" cpu={(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / commits:F2}ms allocated={(GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1024.0 / commits:F0}KiB gc0={GC.CollectionCount(0) - collections} gc2={GC.CollectionCount(2) - collections2} gc-pause={(GC.GetTotalPauseDuration() - paused).TotalMilliseconds:F0}ms"
                + $" threads=[{ThreadCpu(threadsBefore)}]"
                + $" jitted={System.Runtime.JitInfo.GetCompiledMethodCount() - jitted} exceptions={exceptions} ({string.Join(", ", thrown.OrderByDescending(kv => kv.Value).Take(3).Select(kv => $"{kv.Value} {kv.Key}"))})");
        return 0;
    }
    case "writer":
    {
        string dir = args[1];
        for (int i = 1; ; i++)
        {
            var result = StateStore.Commit(dir, Increment("own-0", i));
            Console.Out.WriteLine($"ack {result.Generation} {i}");
            Console.Out.Flush();
        }
    }
    case "compactor":
    {
        string dir = args[1];
        var output = TextWriter.Synchronized(Console.Out);
        var committer = new Thread(() =>
        {
            for (int i = 1; ; i++)
            {
                var result = StateStore.Commit(dir, Increment("own-0", i), new CommitOptions { CompactLogRecords = 64 });
                output.WriteLine($"ack {result.Generation} {i}");
                output.Flush();
                // The writer lock is polled, not queued: a writer that commits back to back would
                // keep the compaction's switch waiting, and the kills would all land there.
                Thread.Sleep(2);
            }
        }) { IsBackground = true };
        committer.Start();
        // A second, silent compaction loop: two compactions often pin the same generation and
        // write the same base name, and one of them loses the switch.
        var rival = new Thread(() =>
        {
            while (true)
            {
                StateStore.Compact(dir);
                Thread.Sleep(5); // most compactions are left to the loop whose phases the test sees
            }
        }) { IsBackground = true };
        rival.Start();
        while (true)
        {
            var clock = Stopwatch.StartNew();
            bool ran = false;
            long? compacted = StateStore.Compact(dir, phase =>
            {
                ran = true;
                output.WriteLine($"phase {phase}");
                output.Flush();
            });
            if (!ran)
            {
                Thread.Sleep(1); // no log yet: let the commits make one
                continue;
            }
            output.WriteLine($"compacted {(compacted is long g ? g.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none")} {clock.ElapsedMilliseconds}");
            output.Flush();
        }
    }
    case "timed":
    {
        string dir = args[1];
        int writer = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        string stop = args[3];
        var options = new CommitOptions { LockTimeout = TimeSpan.FromMinutes(2), CompactLogRecords = 0, CompactLogBytes = 0 };
        var lines = new System.Text.StringBuilder();
        for (int i = 1; !File.Exists(stop); i++)
        {
            long start = DateTime.UtcNow.Ticks;
            var result = StateStore.Commit(dir, Increment($"own-{writer}", i), options);
            // Printed at the end: writing to the pipe while others commit would time the pipe too.
            lines.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"ack {result.Generation} {i} {result.LockWait.TotalMilliseconds:F3} {result.Elapsed.TotalMilliseconds:F3} {start}\n");
        }
        Console.Out.Write(lines.ToString());
        return 0;
    }
    case "reader":
    {
        string dir = args[1];
        int writers = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        int counterBase = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
        if (args.Length > 6 && args[6] == "warm")
        {
            // As a reader that has run a while (a dashboard): the JIT has compiled its reads and
            // merges (WarmUp reads and checks after every commit), and it has read the state once
            // (which builds the id index its checks use). A cold reader's JIT took a sixth of the
            // machine during the writers' measurement. Then "ready", as the writers say it.
            WarmUp();
            using (var s = ClusterSnapshot.Open(dir)) Check(s, writers, counterBase);
            Console.Out.WriteLine("ready");
            Console.Out.Flush();
        }
        var until = Stopwatch.StartNew();
        long last = -1;
        int checks = 0;
        var seen = new HashSet<long>();
        string? stop = args.Length > 5 ? args[5] : null;
        while (until.ElapsedMilliseconds < int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture) && (stop is null || !File.Exists(stop)))
        {
            using var s = ClusterSnapshot.Open(dir);
            // A generation already checked is not checked again: a reader that watches the state
            // (a dashboard, Watch-ClusterState) reads each new generation, and one that spun on
            // the same generation took a whole core of the two from the writers it watched.
            if (s.Generation == last)
            {
                Thread.Sleep(1);
                continue;
            }
            var (ok, detail) = Check(s, writers, counterBase);
            if (!ok)
            {
                Console.Out.WriteLine($"BAD {s.Generation} {detail}");
                return 1;
            }
            if (s.Generation < last)
            {
                Console.Out.WriteLine($"BAD generation went back from {last} to {s.Generation}");
                return 1;
            }
            last = s.Generation;
            seen.Add(s.Generation);
            checks++;
        }
        Console.Out.WriteLine($"ok {checks} checks, {seen.Count} generations, last {last}");
        return 0;
    }
    case "compact":
    {
        Console.Out.WriteLine($"compacted {StateStore.Compact(args[1])?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}");
        StateStore.WaitForCleanup();
        return 0;
    }
    case "check":
    {
        using var s = ClusterSnapshot.Open(args[1]);
        var (ok, detail) = Check(s, int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture), int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
        Console.Out.WriteLine($"{(ok ? "ok" : "BAD")} {s.Generation} {detail}");
        return ok ? 0 : 1;
    }
    default:
        Console.Error.WriteLine("usage: counter|writer|compactor|timed|reader|check ...");
        return 2;
}

// The commit path run on a small state of its own (then deleted) until the JIT has optimised it,
// before the measured commits, as in a writer that has run a while (a scheduler, the server).
static void WarmUp()
{
    string dir = Path.Combine(Path.GetTempPath(), "clusterstate-warm-" + Guid.NewGuid().ToString("N"));
    try
    {
        StateStore.Create(dir, new SampleCluster(new SampleOptions { NodeCount = 4, TaskCount = 100, ContentCount = 100, Seed = 1 }).ToStateContent());
        var rows = new ChangeSet();
        rows.AddContent.AddRange(Enumerable.Range(0, 2).Select(t => new ClusterContent { Cid = $"own-{t}", Replication = 0, Providers = Array.Empty<string>() }));
        rows.AddContent.Add(new ClusterContent { Cid = "counter", Replication = 0, Providers = Array.Empty<string>() });
        StateStore.Commit(dir, rows);
        // Until the JIT's tiers have settled: a lone writer goes on getting faster for about 2,000
        // commits (instrumented, then optimised code), and a contended commit takes paths a lone
        // one never does (catching up other writers' records, finding its record published by
        // another), so two threads commit at once, in rounds until a round compiles next to
        // nothing. With 300 lone commits the eight writers measured at half their settled speed;
        // with 2,000 the JIT still took a sixth of the machine's time during the measurement.
        long compiled = 0;
        var done = new int[2];
        for (int round = 0; round < 12; round++)
        {
            var threads = Enumerable.Range(0, 2).Select(t => new Thread(() =>
            {
                var lines = new System.Text.StringBuilder();
                var phaseSums = new Dictionary<string, double>(StringComparer.Ordinal);
                for (int k = 0; k < 400; k++)
                {
                    var clock = Stopwatch.StartNew();
                    var result = StateStore.Commit(dir, Increment($"own-{t}", ++done[t]));
                    // The measured loop's own bookkeeping too: its formatting, compiled by the JIT's
                    // higher tiers during the measurement, took a fifth of the machine there.
                    Note(lines, phaseSums, result, k, clock.Elapsed.TotalMilliseconds, DateTime.UtcNow.Ticks);
                    using var s = ClusterSnapshot.Open(dir);
                    if (!Check(s, 2, 0).Ok) throw new InvalidOperationException("The warm-up state is inconsistent.");
                }
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
            Thread.Sleep(300); // the JIT's background compilations of the last calls
            long now = System.Runtime.JitInfo.GetCompiledMethodCount();
            if (Environment.GetEnvironmentVariable("CLUSTERSTATE_PHASES") is not null) Console.Error.Write($"warm-up round {round}: {now - compiled} compiled; ");
            if (round >= 3 && now - compiled < 10) break;
            compiled = now;
        }
        StateStore.WaitForCompaction();
    }
    finally
    {
        StateStore.WaitForCleanup();
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }
}

// What the counter mode prints of a commit ("ack <generation> <i> <elapsed ms> <start UTC ticks>"), and its phases summed.
static void Note(System.Text.StringBuilder lines, Dictionary<string, double> phaseSums, CommitResult result, int i, double elapsed, long start)
{
    lines.Append(System.Globalization.CultureInfo.InvariantCulture, $"ack {result.Generation} {i} {elapsed:F3} {start}\n");
    if (result.PhaseMilliseconds is { } ph) foreach (var (k, v) in ph) phaseSums[k] = phaseSums.GetValueOrDefault(k) + v;
}

// Each thread's CPU time (Linux /proc: utime + stime in clock ticks of 10 ms) by thread id: where a writer's CPU goes besides the commit itself.
static Dictionary<string, (string Name, long Ticks)> ThreadTicks()
{
    var threads = new Dictionary<string, (string, long)>(StringComparer.Ordinal);
    if (!Directory.Exists("/proc/self/task")) return threads;
    foreach (string task in Directory.GetDirectories("/proc/self/task"))
    {
        try
        {
            string stat = File.ReadAllText(Path.Combine(task, "stat"));
            var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            threads[Path.GetFileName(task)] = (File.ReadAllText(Path.Combine(task, "comm")).Trim(),
                long.Parse(f[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(f[12], System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (IOException) { }
    }
    return threads;
}

// The CPU each named thread used since <paramref name="before"/>, the busiest first.
static string ThreadCpu(Dictionary<string, (string Name, long Ticks)> before) =>
    string.Join(", ", ThreadTicks().Select(kv => (kv.Value.Name, Ticks: kv.Value.Ticks - (before.TryGetValue(kv.Key, out var b) ? b.Ticks : 0)))
        .GroupBy(t => t.Name).Select(g => (g.Key, Ms: g.Sum(t => t.Ticks) * 10)).Where(t => t.Ms > 0).OrderByDescending(t => t.Ms).Select(t => $"{t.Key} {t.Ms} ms"));

static ChangeSet Increment(string own, int value) => new()
{
    UpdateContent =
    {
        new ContentUpdate { Cid = own, Replication = value },
        new ContentUpdate { Cid = "counter", ReplicationDelta = 1 },
    },
};

static (bool Ok, string Detail) Check(ClusterSnapshot s, int writers, int counterBase)
{
    // Only the rows checked: on a state of a million content rows a full read would take seconds per check.
    var cids = Enumerable.Range(0, writers).Select(w => $"own-{w}").Append("counter").ToArray();
    var items = s.FindContent(new ContentQuery { Cid = cids }).Items.ToDictionary(c => c.Cid, c => c.Replication ?? 0);
    int sum = Enumerable.Range(0, writers).Sum(w => items[$"own-{w}"]);
    int counter = items["counter"];
    return (counter - counterBase == sum, $"counter={counter} base={counterBase} own-sum={sum}");
}
