using System;
using System.Collections.Generic;
using System.IO;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using BenchmarkDotNet.Attributes;
using DuckDB.NET.Data;

namespace ClusterState.Benchmarks;

/// <summary>
/// One question — how many tasks are pending? — answered by the engine on the mapped snapshot and
/// by the alternatives, on the same data: DuckDB over our flat Parquet export and over the nested
/// one-row file, and Apache.Arrow's ArrowFileReader (which copies every buffer) plus a plain loop.
/// </summary>
[Config(typeof(BenchConfig))]
public class ScanBenchmarks
{
    private static readonly string[] Pending = { "pending" };
    private ClusterSnapshot _snapshot = null!;
    private DuckDBConnection _duck = null!;

    [ParamsSource(nameof(Scales))]
    public string Scale { get; set; } = "";

    public static IEnumerable<string> Scales => new[] { "small", "reference", "large" };

    [GlobalSetup]
    public void Setup()
    {
        var scale = Benchmarks.Scale.Named(Scale);
        BenchStates.Prepare(scale);
        _snapshot = ClusterSnapshot.Open(BenchStates.State(scale));
        _duck = new DuckDBConnection("Data Source=:memory:");
        _duck.Open();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _duck.Dispose();
        _snapshot.Dispose();
    }

    [Benchmark(Baseline = true, Description = "engine: status = 'pending' on the mapped columns")]
    public int Engine() => _snapshot.FindTasks(new TaskQuery { Status = Pending }).Count;

    [Benchmark(Description = "DuckDB: flat Parquet export")]
    public long DuckDbFlat() => Scalar($"select count(*) from read_parquet('{BenchStates.FlatTasks(Benchmarks.Scale.Named(Scale))}') where status = 'pending'");

    [Benchmark(Description = "DuckDB: nested one-row Parquet")]
    public long DuckDbNested() => Scalar($"select count(*) from (select unnest(tasks) as t from read_parquet('{BenchStates.Nested(Benchmarks.Scale.Named(Scale))}')) where t.status = 'pending'");

    [Benchmark(Description = "ArrowFileReader (copying) + loop")]
    public int ArrowFileReaderCopy()
    {
        var meta = StateMetadata.Read(BenchStates.State(Benchmarks.Scale.Named(Scale)));
        using var stream = File.OpenRead(Path.Combine(BenchStates.State(Benchmarks.Scale.Named(Scale)), meta.Snapshot));
        using var reader = new ArrowFileReader(stream);
        using var batch = reader.ReadNextRecordBatch();
        var tasks = (ListArray)batch.Column("tasks");
        var items = (StructArray)tasks.Values;
        var status = (StringArray)items.Fields[((Apache.Arrow.Types.StructType)items.Data.DataType).GetFieldIndex("status")];
        int count = 0;
        for (int i = 0; i < status.Length; i++)
        {
            if (status.GetString(i) == "pending") count++;
        }
        return count;
    }

    [Benchmark(Description = "engine: Get-ClusterStatus summary")]
    public ClusterStatus Summary() => ClusterAnalysis.GetStatus(_snapshot);

    private long Scalar(string sql)
    {
        using var command = _duck.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>Warm open of a state (metadata read + stat + cached mapping) by size.</summary>
[Config(typeof(BenchConfig))]
public class OpenBenchmarks
{
    private string _dir = "";

    [ParamsSource(nameof(Scales))]
    public string Scale { get; set; } = "";

    public static IEnumerable<string> Scales => new[] { "tiny", "small", "reference", "large" };

    [GlobalSetup]
    public void Setup()
    {
        var scale = Benchmarks.Scale.Named(Scale);
        BenchStates.Prepare(scale);
        _dir = BenchStates.State(scale);
    }

    [Benchmark(Description = "ClusterSnapshot.Open (warm)")]
    public long Open()
    {
        using var s = ClusterSnapshot.Open(_dir);
        return s.Generation + s.TaskCount;
    }
}
