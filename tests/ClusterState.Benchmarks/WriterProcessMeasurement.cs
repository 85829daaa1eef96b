using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace ClusterState.Benchmarks;

/// <summary>
/// Eight writer processes × 500 commits on one state (issue 15): real processes (the xunit tests'
/// StressTool, "counter" mode), each commit setting the writer's own content row to its commit
/// number and adding 1 to a shared counter row, durable, with the default CommitOptions (as a
/// script's commits are); one reader process opens the state again and again meanwhile and checks
/// in every generation it sees that the counter equals its start plus the writers' own rows.
/// Afterwards: the counter exactly +4,000, every writer's 500 changes present, one generation per
/// acknowledged commit. Aggregate commits/s over the span from the first commit's start to the
/// last one's end; latency per commit as the writer timed it (lock wait included). The same
/// writers run once before without the reader, the baseline of the same run: the reader reads and
/// merges every new generation, which on a small machine takes time the writers miss.
/// </summary>
public static class WriterProcessMeasurement
{
    private const int Writers = 8;
    private const int CounterBase = 1_000;

    /// <summary>
    /// The bench's own commits never start a background compaction: one still running in this
    /// process when the writers start would be measured with them (Run compacts, and waits).
    /// </summary>
    private static readonly CommitOptions Setup = new() { CompactLogRecords = 0, CompactLogBytes = 0 };

    private static string ToolPath => Path.Combine(AppContext.BaseDirectory, "ClusterState.StressTool.dll");

    /// <summary>Runs the writers alone, then the writers and the reader, on the state at <paramref name="dir"/> (a bench copy: it gets the counter rows).</summary>
    public static object Measure(string dir, string scaleName, bool warmOnly = false)
    {
        // --quick keeps the quick run quick: the same processes, fewer commits.
        int commits = BenchConfig.Quick ? 50 : 500;
        var rows = new ChangeSet();
        rows.AddContent.AddRange(Enumerable.Range(0, Writers).Select(w => new ClusterContent { Cid = $"own-{w}", Replication = 0, Providers = Array.Empty<string>() }));
        rows.AddContent.Add(new ClusterContent { Cid = "counter", Replication = CounterBase, Providers = Array.Empty<string>() });
        StateStore.Commit(dir, rows, Setup);
        // The writers' rows back to 0 before each later run; the counter goes on from where it is (the next run's base).
        void Reset()
        {
            var reset = new ChangeSet();
            reset.UpdateContent.AddRange(Enumerable.Range(0, Writers).Select(w => new ContentUpdate { Cid = $"own-{w}", Replication = 0 }));
            StateStore.Commit(dir, reset, Setup);
        }
        // Cold processes first (their commits pay for the JIT compiling the commit path), then warm ones
        // (each has committed on a small private state until the JIT settled, before the start: a writer that has
        // run a while): without group commit (each commit flushes record and metadata under the lock),
        // with it, and with it and the reader — the same run's baselines and the main figure.
        // --warm-only (a quick look while working on commit throughput): the last two runs only.
        var cold = warmOnly ? null : Run(dir, scaleName, commits, CounterBase, withReader: false, warm: false);
        if (!warmOnly) Reset();
        var ungrouped = warmOnly ? null : Run(dir, scaleName, commits, Counter(dir), withReader: false, groupCommit: false);
        if (!warmOnly) Reset();
        var alone = Run(dir, scaleName, commits, Counter(dir), withReader: false);
        Reset();
        var withReader = Run(dir, scaleName, commits, Counter(dir), withReader: true);
        withReader["WithoutReader"] = Baseline(alone);
        if (ungrouped is not null) withReader["WithoutGroupCommit"] = Baseline(ungrouped);
        if (cold is not null) withReader["Cold"] = Baseline(cold);
        return withReader;
    }

    /// <summary>What the report shows of a baseline run beside the main one.</summary>
    private static Dictionary<string, object> Baseline(Dictionary<string, object> run) => new()
    {
        ["WallMs"] = run["WallMs"],
        ["CommitsPerSecond"] = run["CommitsPerSecond"],
        ["Commit"] = run["Commit"],
        ["Verified"] = run["Failures"] is List<string> { Count: 0 },
        ["Failures"] = run["Failures"],
    };

    private static int Counter(string dir)
    {
        using var s = ClusterSnapshot.Open(dir);
        return s.FindContent(new ContentQuery { Cid = new[] { "counter" } }).Items.Single().Replication ?? 0;
    }

    private static Dictionary<string, object> Run(string dir, string scaleName, int commits, int counterBase, bool withReader, bool groupCommit = true, bool warm = true)
    {
        // Start from an empty log, as the single-task commit does; the writers' commits make the next one.
        StateStore.Compact(dir);
        StateStore.WaitForCleanup();
        long startGeneration = StateMetadata.Read(dir).Generation;

        string start = Path.Combine(BenchStates.Root, $"writers-{scaleName}.start");
        string stop = Path.Combine(BenchStates.Root, $"writers-{scaleName}.stop");
        File.Delete(start);
        File.Delete(stop);
        // A warm reader, as the writers are warm: beside warm writers, a cold reader's JIT took a sixth of the machine.
        var reader = withReader ? Start("reader", dir, Writers.ToString(CultureInfo.InvariantCulture), counterBase.ToString(CultureInfo.InvariantCulture), "3600000", stop, warm ? "warm" : "cold") : null;
        if (reader is not null && warm && reader.StandardOutput.ReadLine() != "ready") throw new InvalidOperationException("The reader process did not start: " + reader.StandardError.ReadToEnd());
        var readerOutput = reader?.StandardOutput.ReadToEndAsync();
        var readerErrors = reader?.StandardError.ReadToEndAsync();
        var writers = Enumerable.Range(0, Writers)
            .Select(w => Start("counter", dir, w.ToString(CultureInfo.InvariantCulture), commits.ToString(CultureInfo.InvariantCulture), start, groupCommit ? "group" : "nogroup", warm ? "warm" : "cold")).ToList();
        // Every writer has started and opened the state before the first commit: process start-up is not measured.
        foreach (var w in writers)
            if (w.StandardOutput.ReadLine() != "ready") throw new InvalidOperationException("A writer process did not start: " + w.StandardError.ReadToEnd());
        var outputs = writers.Select(w => w.StandardOutput.ReadToEndAsync()).ToList();
        var errors = writers.Select(w => w.StandardError.ReadToEndAsync()).ToList();
        File.WriteAllText(start, "");

        var acks = new List<(int Writer, long Generation, int I, double Ms, long StartTicks)>();
        var failures = new List<string>();
        for (int w = 0; w < Writers; w++)
        {
            if (!writers[w].WaitForExit(TimeSpan.FromMinutes(10))) { writers[w].Kill(); failures.Add($"writer {w} did not finish in 10 minutes"); }
            writers[w].WaitForExit();
            if (writers[w].ExitCode != 0) failures.Add($"writer {w} exited with {writers[w].ExitCode}: {Await(errors[w]).Split('\n').FirstOrDefault()}");
            // CLUSTERSTATE_PHASES: each writer's mean phase times (StressTool prints them to stderr).
            else if (Environment.GetEnvironmentVariable("CLUSTERSTATE_PHASES") is not null) Console.WriteLine($"  writer {w}: {Await(errors[w]).Trim()}");
            foreach (string line in Await(outputs[w]).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var f = line.Split(' ');
                acks.Add((w, long.Parse(f[1], CultureInfo.InvariantCulture), int.Parse(f[2], CultureInfo.InvariantCulture),
                    double.Parse(f[3], CultureInfo.InvariantCulture), long.Parse(f[4], CultureInfo.InvariantCulture)));
            }
        }
        File.WriteAllText(stop, "");
        string readerLine = "";
        bool readerOk = false;
        if (reader is not null)
        {
            if (!reader.WaitForExit(TimeSpan.FromMinutes(2))) reader.Kill();
            reader.WaitForExit();
            readerLine = Await(readerOutput!).Trim();
            readerOk = reader.ExitCode == 0 && readerLine.StartsWith("ok ", StringComparison.Ordinal);
            if (!readerOk) failures.Add($"reader: {readerLine} {Await(readerErrors!).Split('\n').FirstOrDefault()}");
        }
        // "ok <checks> checks, <generations> generations, last <generation>"
        var words = readerLine.Split(' ');
        int readerChecks = readerOk ? int.Parse(words[1], CultureInfo.InvariantCulture) : 0;
        int readerGenerations = readerOk ? int.Parse(words[3], CultureInfo.InvariantCulture) : 0;
        File.Delete(start);
        File.Delete(stop);

        // What the state says afterwards, read fresh.
        ClusterSnapshot.ClearCache();
        int counterDelta;
        int changesPresent;
        long generation;
        using (var s = ClusterSnapshot.Open(dir))
        {
            var cids = Enumerable.Range(0, Writers).Select(w => $"own-{w}").Append("counter").ToArray();
            var items = s.FindContent(new ContentQuery { Cid = cids }).Items.ToDictionary(c => c.Cid, c => c.Replication ?? 0);
            counterDelta = items["counter"] - counterBase;
            // Each writer's commits set its row to 1, 2, … in order: the last value present means all of its changes are.
            changesPresent = Enumerable.Range(0, Writers).Sum(w => items[$"own-{w}"]);
            generation = s.Generation;
        }
        int expected = Writers * commits;
        bool generationsDistinct = acks.Select(a => a.Generation).OrderBy(g => g)
            .SequenceEqual(Enumerable.Range(1, expected).Select(i => startGeneration + i));
        if (counterDelta != expected) failures.Add($"counter +{counterDelta}, expected +{expected}");
        if (changesPresent != expected) failures.Add($"{changesPresent} of {expected} changes present");
        if (generation != startGeneration + expected) failures.Add($"generation {generation}, expected {startGeneration} + {expected}");
        if (!generationsDistinct) failures.Add("the acknowledged generations are not one per commit");

        double wallMs = acks.Count == 0 ? 0
            : (acks.Max(a => a.StartTicks + (long)(a.Ms * TimeSpan.TicksPerMillisecond)) - acks.Min(a => a.StartTicks)) / (double)TimeSpan.TicksPerMillisecond;
        var latency = acks.Select(a => a.Ms).ToList();
        double perSecond = wallMs > 0 ? acks.Count / (wallMs / 1000) : 0;
        Console.WriteLine($"Writer processes {scaleName}{(withReader ? " with a reader" : ", no reader")}{(groupCommit ? "" : ", no group commit")}: {Writers} x {commits} commits in {wallMs / 1000:N2} s = {perSecond:N0} commits/s; " +
            $"commit p50 {Stats.Percentile(latency, 50):N2} ms, p99 {Stats.Percentile(latency, 99):N2} ms; counter +{counterDelta}, {changesPresent} changes present; " +
            (withReader ? $"reader {readerChecks} checks over {readerGenerations} generations {(readerOk ? "consistent" : "FAILED")}; " : "") + $"{failures.Count} failures");
        foreach (string failure in failures.Take(5)) Console.WriteLine($"  failure: {failure}");
        // A dictionary, not an anonymous object: Measure adds the run without the reader to the one with it.
        return new Dictionary<string, object>
        {
            ["Writers"] = Writers,
            ["CommitsPerWriter"] = commits,
            ["Commits"] = acks.Count,
            ["WallMs"] = wallMs,
            ["CommitsPerSecond"] = perSecond,
            ["Commit"] = Stats.Summary(latency),
            ["CounterDelta"] = counterDelta,
            ["ChangesExpected"] = expected,
            ["ChangesPresent"] = changesPresent,
            ["GenerationsDistinct"] = generationsDistinct,
            ["ReaderOk"] = readerOk,
            ["ReaderChecks"] = readerChecks,
            ["ReaderGenerations"] = readerGenerations,
            ["Failures"] = failures.Take(5).ToList(),
        };
    }

    private static string Await(Task<string> task) => task.GetAwaiter().GetResult();

    private static Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(ToolPath);
        foreach (string a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }
}
