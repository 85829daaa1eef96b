using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace ClusterState.Engine.Tests;

/// <summary>The column-streamed Parquet writer against Parquet.Net's own reader.</summary>
public class CheckpointTests
{
    private static readonly DateTime T0 = new(2026, 11, 1, 12, 0, 0, 123, DateTimeKind.Utc);

    /// <summary>Every kind of value the schema holds: nulls at each level, empty and long lists, non-ASCII text.</summary>
    private static StateContent EveryValue(int extraTasks = 0) => new()
    {
        ClusterId = "cluster-ü",
        MasterId = "",
        UpdatedAt = T0,
        Nodes = new[]
        {
            new ClusterNode { Id = "n-1", Role = "master", Status = "online", Peers = new[] { "n-2", "nœud-Ω" }, Capabilities = new[] { "gpu" },
                Resources = new NodeResources { CpuCount = 8, CpuLoad = 12.5f, GpuCount = 2, GpuAvailable = true, MemoryTotal = 1L << 40, MemoryAvailable = 0, DiskTotal = 5, DiskAvailable = 4 } },
            new ClusterNode { Id = "n-2", Role = null, Status = null },
            new ClusterNode { Id = "nœud-Ω", Role = "worker", Status = "offline", Peers = new[] { "n-1" },
                Resources = new NodeResources { CpuCount = null, CpuLoad = null, GpuCount = 0, GpuAvailable = false } },
        },
        Tasks = new[]
        {
            new ClusterTask { Id = "t-1", Type = "training", Status = "running", CreatedAt = T0, UpdatedAt = T0.AddSeconds(1), StartedAt = T0.AddSeconds(2),
                AssignedTo = "n-1", Resources = new TaskResources { CpuCores = 4, GpuCores = 1, MemoryMB = 2048 },
                InputCid = "bafy-in", InputCids = new[] { "a", "b", "ç" }, OutputCids = Array.Empty<string>() },
            new ClusterTask { Id = "t-2", Type = null, Status = "pending", CreatedAt = null, Resources = new TaskResources { CpuCores = null, GpuCores = 0, MemoryMB = null } },
            new ClusterTask { Id = "t-3 日本", Type = "inference", Status = "completed", CompletedAt = T0.AddHours(1), OutputCid = "bafy-out", OutputCids = new[] { "x" } },
        }.Concat(Enumerable.Range(0, extraTasks).Select(i => new ClusterTask { Id = $"bulk-{i}", Status = i % 3 == 0 ? null : "pending", InputCids = Enumerable.Repeat("c", i % 4).ToArray() })).ToArray(),
        Content = Array.Empty<ClusterContent>(),
    };

    private static string Json(object value) => JsonSerializer.Serialize(value);

    private static StateContent FromSnapshot(string state)
    {
        using var s = ClusterSnapshot.Open(state);
        return new StateContent
        {
            ClusterId = s.ClusterId, MasterId = s.MasterId, UpdatedAt = s.UpdatedAt,
            Nodes = s.FindNodes(new NodeQuery()).Items.ToArray(),
            Tasks = s.FindTasks(new TaskQuery()).Items.ToArray(),
            Content = s.FindContent(new ContentQuery()).Items.ToArray(),
        };
    }

    [Theory]
    [InlineData(0)]
    [InlineData(70_000)]
    public void CheckpointReadsBackEveryValue(int extraTasks)
    {
        using var dir = new TempDirectory();
        string state = dir.Combine("state");
        StateStore.Create(state, EveryValue(extraTasks));
        var expected = FromSnapshot(state);

        var steps = new System.Collections.Generic.List<(int Done, int Total)>();
        var info = Checkpoints.Save(state, progress: (done, total) => steps.Add((done, total)));
        var read = Checkpoints.ReadContent(info.Path);

        Assert.Equal(expected.ClusterId, read.ClusterId);
        Assert.Equal(expected.MasterId, read.MasterId);
        Assert.Equal(expected.UpdatedAt, read.UpdatedAt);
        Assert.Equal(Json(expected.Nodes), Json(read.Nodes));
        Assert.Equal(Json(expected.Tasks), Json(read.Tasks));
        Assert.Empty(read.Content);
        // Progress counts every leaf column once, ending at the total.
        Assert.Equal(steps.Select(s => s.Done).OrderBy(d => d), steps.Select(s => s.Done));
        Assert.Equal(steps[^1].Total, steps[^1].Done);
        Assert.True(steps.Count > 30);
    }

    [Fact]
    public void LatestCheckpointIsTheNewestFileWithoutACopy()
    {
        using var dir = new TempDirectory();
        string state = dir.Combine("state");
        StateStore.Create(state, EveryValue());
        var first = Checkpoints.Save(state);
        var second = Checkpoints.Save(state, keep: 1);
        string latest = Path.Combine(state, "state_cluster-ü.parquet");
        Assert.Equal(File.ReadAllBytes(second.Path), File.ReadAllBytes(latest));
        Assert.False(File.Exists(first.Path));
        Assert.Single(Checkpoints.List(state));
        Assert.Equal(latest, StateMetadata.Read(state).ParquetPath);
        Assert.Empty(Directory.GetFiles(state, "*.tmp-*", SearchOption.AllDirectories));
    }
}
