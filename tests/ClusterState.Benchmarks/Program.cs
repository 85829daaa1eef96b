using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace ClusterState.Benchmarks;

/// <summary>In-process runs (no generated project to build), few but stable iterations.</summary>
public sealed class BenchConfig : ManualConfig
{
    public BenchConfig()
    {
        AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(Quick ? 3 : 10));
        WithOptions(ConfigOptions.DisableLogFile);
        AddLogger(BenchmarkDotNet.Loggers.ConsoleLogger.Default);
        AddColumnProvider(BenchmarkDotNet.Columns.DefaultColumnProviders.Instance);
        AddExporter(BenchmarkDotNet.Exporters.MarkdownExporter.GitHub);
    }

    public static bool Quick { get; set; }
}

/// <summary>
/// `ClusterState.Benchmarks --root out/bench --out out/bench/engine.json [--quick]`: prepares the
/// scales, measures checkpoints, memory and the commit log directly (long operations), runs the
/// BenchmarkDotNet classes, and writes every median to one JSON file that the bench task turns
/// into docs/PERFORMANCE.md. `--checkpoints` and `--log` measure only the checkpoints or only
/// the commit log and merge them into the last run's file.
/// </summary>
public static class Program
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static int Main(string[] args)
    {
        string root = Arg(args, "--root") ?? Path.Combine("out", "bench");
        string output = Arg(args, "--out") ?? Path.Combine(root, "engine.json");
        BenchConfig.Quick = args.Contains("--quick");
        BenchStates.Root = Path.GetFullPath(root);
        // The commit log on the reference and large scales; --quick measures it on the tiny one.
        var logScales = BenchConfig.Quick ? new[] { Scale.Tiny } : new[] { Scale.Reference, Scale.Large };
        // --log-scale <name> measures the log on that scale alone (a quick look at one figure while working).
        if (Arg(args, "--log-scale") is { } only) logScales = Scale.All.Where(s => string.Equals(s.Name, only, StringComparison.OrdinalIgnoreCase)).ToArray();
        if (Arg(args, "--prepare") is { } prepareScales)
        {
            // Only the seeded states of the named scales (comma-separated), generated where missing:
            // the benches of one part (build.ps1 BenchCommit) work on copies of them.
            foreach (string name in prepareScales.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                BenchStates.Prepare(Scale.All.Single(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase)));
            return 0;
        }
        if (Arg(args, "--writers") is { } writersScale)
        {
            // Only the eight writer processes on one scale, printed, not saved (a quick look while working on commit throughput).
            var scale = Scale.All.Single(s => string.Equals(s.Name, writersScale, StringComparison.OrdinalIgnoreCase));
            BenchStates.Prepare(scale);
            bool warmOnly = args.Contains("--warm-only"); // only the warm writers with and without the reader
            Console.WriteLine(JsonSerializer.Serialize(WriterProcessMeasurement.Measure(CommitLogMeasurements.CopyState(scale), scale.Name, warmOnly), Indented));
            return 0;
        }
        if (Arg(args, "--compaction") is { } compactionScale)
        {
            // Only the compaction with four writers on one scale, printed, not saved (a quick look while working on it).
            var scale = Scale.All.Single(s => string.Equals(s.Name, compactionScale, StringComparison.OrdinalIgnoreCase));
            BenchStates.Prepare(scale);
            for (int run = 0; run < 3; run++) CommitLogMeasurements.MeasureCompactionOnly(scale);
            return 0;
        }
        if (Arg(args, "--commits") is { } commitScale)
        {
            // Only commits of --tasks task updates (10,000 unless given) on one scale, printed (a quick look while working on the commit path).
            var scale = Scale.All.Single(s => string.Equals(s.Name, commitScale, StringComparison.OrdinalIgnoreCase));
            BenchStates.Prepare(scale);
            int tasks = int.TryParse(Arg(args, "--tasks"), out int t) ? t : 10_000;
            CommitLogMeasurements.MeasureCommitsOnly(scale, tasks, int.TryParse(Arg(args, "--runs"), out int runs) ? runs : 12);
            return 0;
        }
        if (Arg(args, "--reads") is { } readsScale)
        {
            // Only the failed scan and GetStatus over a 1,000-commit log against the compacted state, printed (a quick look while working on merged reads).
            var scale = Scale.All.Single(s => string.Equals(s.Name, readsScale, StringComparison.OrdinalIgnoreCase));
            BenchStates.Prepare(scale);
            CommitLogMeasurements.MeasureReadsOnly(scale, int.TryParse(Arg(args, "--runs"), out int runs) ? runs : 5);
            return 0;
        }
        if (Arg(args, "--long-log") is { } longLogScale)
        {
            // Only the state the fresh-open figure reads (1,000 ten-task commits on a copy), left for --open.
            var scale = Scale.All.Single(s => string.Equals(s.Name, longLogScale, StringComparison.OrdinalIgnoreCase));
            BenchStates.Prepare(scale);
            Console.WriteLine(CommitLogMeasurements.MakeLongLog(scale));
            return 0;
        }
        if (Arg(args, "--open") is { } openDir)
        {
            // Only fresh opens of one state directory (ClearCache, then Open), printed: a quick look
            // at what opening a long log costs in a process whose code the JIT has optimised.
            var times = new List<double>();
            using var reasons = Environment.GetEnvironmentVariable("CLUSTERSTATE_GC_DETAIL") == "1" ? new GcReasons() : null;
            long allocated = GC.GetTotalAllocatedBytes();
            var paused = GC.GetTotalPauseDuration();
            int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
            for (int i = 0; i < 400; i++)
            {
                ClusterSnapshot.ClearCache();
                var clock = System.Diagnostics.Stopwatch.StartNew();
                using (ClusterSnapshot.Open(openDir)) { }
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
            var last = times.Skip(200).ToList();
            Console.WriteLine($"  {(GC.GetTotalAllocatedBytes() - allocated) / 400 >> 10:N0} KiB allocated per open; GC: {GC.CollectionCount(0) - gen0} gen0, {GC.CollectionCount(1) - gen1} gen1, {GC.CollectionCount(2) - gen2} gen2, paused {(GC.GetTotalPauseDuration() - paused).TotalMilliseconds:N0} ms in all");
            if (reasons is not null) Console.WriteLine($"  GC by generation and reason: {reasons}");
            Console.WriteLine($"fresh open of '{openDir}': first {times[0]:N2} ms, the next 11 (as the log figure's): median {Stats.Percentile(times.Skip(1).Take(11).ToList(), 50):N2} ms; last 200: median {Stats.Percentile(last, 50):N2} ms, min {last.Min():N2}, p90 {Stats.Percentile(last, 90):N2}");
            return 0;
        }
        if (args.Contains("--log"))
        {
            // Only the commit log measurements, merged into the last full run's results (a new file when there is none).
            foreach (var scale in logScales) BenchStates.Prepare(scale);
            var previous = File.Exists(output) ? System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(output))!.AsObject() : new System.Text.Json.Nodes.JsonObject();
            previous["Log"] = System.Text.Json.Nodes.JsonNode.Parse(JsonSerializer.Serialize(logScales.Select(CommitLogMeasurements.Measure).ToList()));
            File.WriteAllText(output, previous.ToJsonString(Indented));
            return 0;
        }
        foreach (var scale in Scale.All) BenchStates.Prepare(scale);
        if (args.Contains("--checkpoints"))
        {
            // Only the checkpoint measurements, merged into the last full run's results.
            var previous = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(output))!.AsObject();
            previous["Checkpoints"] = System.Text.Json.Nodes.JsonNode.Parse(JsonSerializer.Serialize(new[] { Scale.Reference, Scale.Large }.Select(MeasureCheckpoint).ToList()));
            File.WriteAllText(output, previous.ToJsonString(Indented));
            return 0;
        }

        var memory = MeasureMemory(Scale.Large);
        var checkpoints = new[] { Scale.Reference, Scale.Large }.Select(MeasureCheckpoint).ToList();
        var log = logScales.Select(CommitLogMeasurements.Measure).ToList();

        var summaries = BenchmarkRunner.Run(new[] { typeof(ScanBenchmarks), typeof(OpenBenchmarks) },
            new BenchConfig().WithArtifactsPath(Path.Combine(BenchStates.Root, "BenchmarkDotNet.Artifacts")));
        var results = summaries.SelectMany(s => s.Reports).Where(r => r.ResultStatistics is not null).Select(r => new
        {
            Benchmark = r.BenchmarkCase.Descriptor.Type.Name + "." + r.BenchmarkCase.Descriptor.WorkloadMethod.Name,
            Description = r.BenchmarkCase.Descriptor.WorkloadMethodDisplayInfo,
            Scale = (string)r.BenchmarkCase.Parameters["Scale"],
            MedianNs = r.ResultStatistics!.Median,
            MinNs = r.ResultStatistics.Min,
            MaxNs = r.ResultStatistics.Max,
            Iterations = r.ResultStatistics.N,
        }).ToList();
        bool failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));

        var document = new
        {
            Date = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
            Scales = Scale.All.Select(s => new { s.Name, s.Nodes, s.Tasks, s.Content, SnapshotBytes = SnapshotBytes(s) }),
            Results = results,
            Checkpoints = checkpoints,
            Memory = memory,
            Log = log,
        };
        File.WriteAllText(output, JsonSerializer.Serialize(document, Indented));
        Console.WriteLine($"Wrote {output}: {results.Count} benchmark results.");
        return failed ? 1 : 0;
    }

    private static string? Arg(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    private static long SnapshotBytes(Scale scale)
    {
        using var s = ClusterSnapshot.Open(BenchStates.State(scale));
        return s.SizeBytes;
    }

    /// <summary>Checkpoint time (median of three) and file size: the issue 5 goal is under 5 s for 1M tasks.</summary>
    private static object MeasureCheckpoint(Scale scale)
    {
        string dir = BenchStates.State(scale);
        var times = new List<double>();
        CheckpointInfo? info = null;
        for (int i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            info = Checkpoints.Save(dir, keep: 1);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }
        times.Sort();
        var flat = Stopwatch.StartNew();
        using (var s = ClusterSnapshot.Open(dir))
            StateExport.Write(s, Path.Combine(BenchStates.Root, "flat-timing"), ExportFormat.Parquet, overwrite: true);
        double flatMs = flat.Elapsed.TotalMilliseconds;
        var restore = Stopwatch.StartNew();
        _ = Checkpoints.ReadContent(info!.Path);
        double readMs = restore.Elapsed.TotalMilliseconds;
        var (nativeMs, nativeBytes) = MeasureNativeCheckpoint(dir);
        Console.WriteLine($"Checkpoint {scale}: {times[1]:N0} ms, {info.SizeBytes / 1048576.0:N1} MiB; flat export {flatMs:N0} ms; read back {readMs:N0} ms; ParquetSharp {nativeMs:N0} ms");
        return new { Scale = scale.Name, MedianMs = times[1], MinMs = times[0], MaxMs = times[2], info.SizeBytes, FlatExportMs = flatMs, ReadBackMs = readMs, NativeMs = nativeMs, NativeSizeBytes = nativeBytes };
    }

    /// <summary>
    /// The baseline of the same run: the native Arrow C++ Parquet writer (ParquetSharp) writing the
    /// same nested one-row batch from the mapped snapshot — Snappy, no dictionary (which made it
    /// slower than ours), flushed with fsync; median of three. Not used by the module (issue 5).
    /// </summary>
    private static (double Ms, long Bytes) MeasureNativeCheckpoint(string dir)
    {
        using var snapshot = ClusterSnapshot.Open(dir);
        string path = Path.Combine(BenchStates.Root, "native-checkpoint.parquet");
        var times = new List<double>();
        long bytes = 0;
        for (int i = 0; i < 3; i++)
        {
            var clock = Stopwatch.StartNew();
            using (var properties = new ParquetSharp.WriterPropertiesBuilder().Compression(ParquetSharp.Compression.Snappy).DisableDictionary().Build())
            using (var writer = new ParquetSharp.Arrow.FileWriter(path, snapshot.Schema, properties))
            {
                writer.WriteRecordBatch(snapshot.RecordBatch);
                writer.Close();
            }
            using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite)) file.Flush(flushToDisk: true);
            times.Add(clock.Elapsed.TotalMilliseconds);
            bytes = new FileInfo(path).Length;
            File.Delete(path);
        }
        times.Sort();
        return (times[1], bytes);
    }

    /// <summary>
    /// Anonymous memory (heap, not file pages) added by opening the large state and scanning it:
    /// zero copy means it does not grow with the state; the file-backed pages of the columns
    /// touched are shared with the page cache.
    /// </summary>
    private static object MeasureMemory(Scale scale)
    {
        ClusterSnapshot.ClearCache();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = Rss();
        long snapshotBytes;
        int pending;
        using (var s = ClusterSnapshot.Open(BenchStates.State(scale)))
        {
            snapshotBytes = s.SizeBytes;
            pending = s.FindTasks(new TaskQuery { Status = new[] { "pending" } }).Count;
            _ = ClusterAnalysis.GetStatus(s);
            GC.Collect();
            var after = Rss();
            Console.WriteLine($"Memory {scale}: RssAnon +{(after.Anon - before.Anon) / 1024.0:N1} MiB, RssFile +{(after.File - before.File) / 1024.0:N1} MiB, snapshot {snapshotBytes / 1048576.0:N0} MiB");
            return new { Scale = scale.Name, SnapshotBytes = snapshotBytes, AnonKiB = after.Anon - before.Anon, FileKiB = after.File - before.File, Pending = pending };
        }
    }

    private static (long Anon, long File) Rss()
    {
        long anon = 0, file = 0;
        if (!System.IO.File.Exists("/proc/self/status")) return (0, 0);
        foreach (var line in System.IO.File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("RssAnon:", StringComparison.Ordinal)) anon = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            if (line.StartsWith("RssFile:", StringComparison.Ordinal)) file = long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        return (anon, file);
    }
}
