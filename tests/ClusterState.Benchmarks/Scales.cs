using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace ClusterState.Benchmarks;

/// <summary>The seeded sample sizes of issue 6 (plus a tiny one for the open-cost comparison).</summary>
public sealed record Scale(string Name, int Nodes, int Tasks, int Content)
{
    public static readonly Scale Tiny = new("tiny", 10, 1_000, 1_000);
    public static readonly Scale Small = new("small", 100, 10_000, 10_000);
    public static readonly Scale Reference = new("reference", 1_000, 100_000, 1_000_000);
    public static readonly Scale Large = new("large", 10_000, 1_000_000, 1_000_000);

    public static readonly IReadOnlyList<Scale> All = new[] { Tiny, Small, Reference, Large };

    public static Scale Named(string name) => All.Single(s => s.Name == name);

    public override string ToString() => $"{Name} ({Nodes:N0} / {Tasks:N0} / {Content:N0})";
}

/// <summary>Where the benchmark states live and how they are made (once; reused across runs).</summary>
public static class BenchStates
{
    /// <summary>The root folder (out/bench), set by Program from the command line.</summary>
    public static string Root { get; set; } = Path.Combine("out", "bench");

    public static string State(Scale scale) => Path.Combine(Root, "scale-" + scale.Name);

    public static string FlatTasks(Scale scale) => Path.Combine(Root, "scale-" + scale.Name + "-flat", "tasks.parquet");

    public static string Nested(Scale scale) => Path.Combine(Root, "scale-" + scale.Name + "-nested.parquet");

    /// <summary>Generates the state, its flat export and a nested Parquet file when missing.</summary>
    public static void Prepare(Scale scale)
    {
        string dir = State(scale);
        if (!File.Exists(Path.Combine(dir, StateMetadata.FileName)))
        {
            Console.WriteLine($"Generating {scale} in {dir} ...");
            var sample = new SampleCluster(new SampleOptions { NodeCount = scale.Nodes, TaskCount = scale.Tasks, ContentCount = scale.Content, Seed = 1 });
            StateStore.Create(dir, sample.ToStateContent(), new CreateStateOptions { Force = true });
        }
        using var snapshot = ClusterSnapshot.Open(dir);
        if (!File.Exists(FlatTasks(scale)))
            StateExport.Write(snapshot, Path.GetDirectoryName(FlatTasks(scale))!, ExportFormat.Parquet, overwrite: true);
        if (!File.Exists(Nested(scale)))
            StateExport.Write(snapshot, Nested(scale), ExportFormat.ParquetNested, overwrite: true);
    }
}
