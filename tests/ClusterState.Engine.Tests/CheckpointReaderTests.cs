using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Tasks;
using Parquet.Serialization;
using Parquet.Serialization.Attributes;
using Xunit;

using N = ClusterState.ClusterSchema.Names;

namespace ClusterState.Engine.Tests;

/// <summary>
/// The column reader of checkpoints (ParquetCheckpointReader): nulls at every level of the
/// nesting come back as they were stored, a version-1 checkpoint of an older writer reads with
/// the version-2 fields null, and a file that is not a checkpoint fails as CheckpointCorrupt.
/// </summary>
public sealed class CheckpointReaderTests : IDisposable
{
    private static readonly DateTime T0 = new(2026, 11, 1, 12, 0, 0, 123, DateTimeKind.Utc);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

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

    /// <summary>Saves <paramref name="content"/> as a state, checkpoints it, and asserts the checkpoint reads back as the snapshot does.</summary>
    private StateContent RoundTrip(StateContent content, int schemaVersion = ClusterSchema.CurrentVersion)
    {
        string state = _dir.Combine("state-" + Guid.NewGuid().ToString("N"));
        StateStore.Create(state, content, new CreateStateOptions { SchemaVersion = schemaVersion });
        var expected = FromSnapshot(state);
        var read = Checkpoints.ReadContent(Checkpoints.Save(state).Path);
        Assert.Equal(expected.ClusterId, read.ClusterId);
        Assert.Equal(expected.MasterId, read.MasterId);
        Assert.Equal(expected.UpdatedAt, read.UpdatedAt);
        Assert.Equal(Json(expected.Nodes), Json(read.Nodes));
        Assert.Equal(Json(expected.Tasks), Json(read.Tasks));
        Assert.Equal(Json(expected.Content), Json(read.Content));
        return read;
    }

    [Fact]
    public void NullsAtEveryLevel_ReadBackAsStored()
    {
        var read = RoundTrip(new StateContent
        {
            ClusterId = "clüster-日本",
            MasterId = "",
            UpdatedAt = T0,
            Nodes = new[]
            {
                new ClusterNode { Id = "n-null-resources", Resources = null, Peers = Array.Empty<string>(), Capabilities = null! },
                new ClusterNode { Id = "n-empty-resources", Role = "worker", Resources = new NodeResources(), Peers = new[] { "n-null-resources", "ñ-Ω" } },
                new ClusterNode { Id = "n-some", Status = "online", Resources = new NodeResources { CpuLoad = 0.5f, GpuAvailable = false, DiskAvailable = long.MaxValue } },
            },
            Tasks = new[]
            {
                new ClusterTask { Id = "t-bare" },
                new ClusterTask { Id = "t-empty-resources", Resources = new TaskResources(), InputCids = new[] { "" }, OutputCids = null! },
                new ClusterTask { Id = "t-full 🚀", Type = "täsk", Status = "running", CreatedAt = T0, UpdatedAt = T0, StartedAt = T0.AddSeconds(1),
                    CompletedAt = T0.AddSeconds(2), AssignedTo = "n-some", Resources = new TaskResources { GpuCores = 0 }, InputCid = "", OutputCid = "ø" },
            },
            Content = new[]
            {
                new ClusterContent { Cid = "c-bare" },
                new ClusterContent { Cid = "c-full", Size = 0, CreatedAt = T0, Providers = new[] { "n-some" }, Pinned = true, Replication = -1 },
            },
        });
        var nodes = read.Nodes.ToArray();
        Assert.Null(nodes[0].Resources);
        Assert.NotNull(nodes[1].Resources);
        Assert.Null(nodes[1].Resources!.CpuCount);
        var tasks = read.Tasks.ToArray();
        Assert.Null(tasks[0].Resources);
        Assert.NotNull(tasks[1].Resources);
        Assert.Equal(new[] { "" }, tasks[1].InputCids);
        Assert.Equal("t-full 🚀", tasks[2].Id);
        Assert.Equal(T0.AddSeconds(2), tasks[2].CompletedAt);
    }

    [Fact]
    public void EmptyEntityLists_ReadBackEmpty()
    {
        var read = RoundTrip(new StateContent { ClusterId = "empty", MasterId = "m" });
        Assert.Empty(read.Nodes);
        Assert.Empty(read.Tasks);
        Assert.Empty(read.Content);
    }

    [Fact]
    public void AVersion1State_ReadsBack()
    {
        var read = RoundTrip(new StateContent
        {
            ClusterId = "v1",
            Tasks = new[] { new ClusterTask { Id = "t", Status = "pending", CreatedAt = T0, InputCids = new[] { "a" } } },
        }, schemaVersion: 1);
        Assert.Null(read.Tasks.Single().StartedAt);
    }

    [Fact]
    public void AVersion1Checkpoint_OfAnOlderWriter_ReadsWithTheVersion2FieldsNull()
    {
        string path = _dir.Combine("v1.parquet");
        Write(path, new[] { V1Row() }, version: "1");

        var read = Checkpoints.ReadContent(path);

        Assert.Equal("old-cluster", read.ClusterId);
        Assert.Equal(T0, read.UpdatedAt);
        var task = Assert.Single(read.Tasks);
        Assert.Equal("t-1", task.Id);
        Assert.Equal(T0, task.CreatedAt);
        Assert.Equal(new[] { "a", "b" }, task.InputCids);
        Assert.Empty(task.OutputCids);
        Assert.Equal(3, task.Resources!.CpuCores);
        Assert.Null(task.StartedAt);
        Assert.Null(task.CompletedAt);
        var node = Assert.Single(read.Nodes);
        Assert.Null(node.Resources);
        Assert.Equal(new[] { "p" }, node.Peers);
        Assert.True(Assert.Single(read.Content).Pinned);
    }

    [Fact]
    public void AVersion2Checkpoint_WithoutAVersion2Column_IsCorrupt()
    {
        string path = _dir.Combine("v2-missing.parquet");
        Write(path, new[] { V1Row() }, version: "2");
        var e = Assert.Throws<ClusterStateException>(() => Checkpoints.ReadContent(path));
        Assert.Equal(ErrorIds.CheckpointCorrupt, e.ErrorId);
        Assert.Contains(N.StartedAt, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AVersion1Checkpoint_WithValuesInAVersion2Field_IsRefused()
    {
        string state = _dir.Combine("state");
        StateStore.Create(state, new StateContent { ClusterId = "c", Tasks = new[] { new ClusterTask { Id = "t", StartedAt = T0 } } });
        var bytes = File.ReadAllBytes(Checkpoints.Save(state).Path);
        // The footer's schema_version value "2" (thrift: field 2, binary, length 1) made "1".
        var key = System.Text.Encoding.ASCII.GetBytes(ClusterSchema.SchemaVersionKey).Concat(new byte[] { 0x18, 0x01, (byte)'2' }).ToArray();
        int at = bytes.AsSpan().LastIndexOf(key);
        Assert.True(at > 0);
        bytes[at + key.Length - 1] = (byte)'1';
        string path = _dir.Combine("v1-with-v2-values.parquet");
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<ClusterStateException>(() => Checkpoints.ReadContent(path));
        Assert.Equal(ErrorIds.CheckpointCorrupt, e.ErrorId);
        Assert.Contains(N.StartedAt, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AColumnNoFieldTableNames_IsRefused()
    {
        string path = _dir.Combine("extra.parquet");
        var row = V1Row();
        var extra = new RowWithExtra { ClusterId = row.ClusterId, UpdatedAt = row.UpdatedAt, Nodes = row.Nodes, Tasks = row.Tasks, Content = row.Content, Priority = 7 };
        Write(path, new[] { extra }, version: "1");
        var e = Assert.Throws<ClusterStateException>(() => Checkpoints.ReadContent(path));
        Assert.Equal(ErrorIds.CheckpointCorrupt, e.ErrorId);
        Assert.Contains("priority", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MoreThanOneRow_IsCorrupt()
    {
        string path = _dir.Combine("two.parquet");
        Write(path, new[] { V1Row(), V1Row() }, version: "1");
        var e = Assert.Throws<ClusterStateException>(() => Checkpoints.ReadContent(path));
        Assert.Equal(ErrorIds.CheckpointCorrupt, e.ErrorId);
        Assert.Contains("rows", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoSchemaVersion_IsCorrupt()
    {
        string path = _dir.Combine("unversioned.parquet");
        Write(path, new[] { V1Row() }, version: null);
        var e = Assert.Throws<ClusterStateException>(() => Checkpoints.ReadContent(path));
        Assert.Equal(ErrorIds.CheckpointCorrupt, e.ErrorId);
        Assert.Contains(ClusterSchema.SchemaVersionKey, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("truncated")]
    [InlineData("empty")]
    [InlineData("damaged")]
    public void AFileThatIsNotACheckpoint_IsCorrupt(string kind)
    {
        string state = _dir.Combine("state");
        StateStore.Create(state, new StateContent
        {
            ClusterId = "c",
            Tasks = Enumerable.Range(0, 2000).Select(i => new ClusterTask { Id = $"t-{i}", Status = "pending", InputCids = new[] { $"cid-{i}" } }).ToArray(),
        });
        string path = Checkpoints.Save(state).Path;
        var bytes = File.ReadAllBytes(path);
        string bad = _dir.Combine(kind + ".parquet");
        switch (kind)
        {
            case "garbage": File.WriteAllText(bad, "PAR1 this is not parquet PAR1"); break;
            case "truncated": File.WriteAllBytes(bad, bytes[..(bytes.Length / 2)]); break;
            case "empty": File.WriteAllBytes(bad, Array.Empty<byte>()); break;
            case "damaged":
                // The middle of the data pages, the footer intact.
                for (int i = bytes.Length / 4; i < bytes.Length / 2; i++) bytes[i] ^= 0x5A;
                File.WriteAllBytes(bad, bytes);
                break;
        }
        var e = Assert.Throws<ClusterStateException>(() => Checkpoints.ReadContent(bad));
        Assert.Equal(ErrorIds.CheckpointCorrupt, e.ErrorId);
        Assert.Contains(bad, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingFile_IsNotFound()
    {
        var e = Assert.Throws<ClusterStateException>(() => Checkpoints.ReadContent(_dir.Combine("none.parquet")));
        Assert.Equal(ErrorIds.CheckpointNotFound, e.ErrorId);
    }

    private static V1CheckpointRow V1Row() => new()
    {
        ClusterId = "old-cluster",
        UpdatedAt = T0,
        Nodes = new() { new V1Node { Id = "n-1", Role = "master", Peers = new() { "p" }, Capabilities = null } },
        Tasks = new() { new V1Task { Id = "t-1", Status = "pending", CreatedAt = T0, Resources = new V1TaskResources { CpuCores = 3 }, InputCids = new() { "a", "b" }, OutputCids = null } },
        Content = new() { new V1Content { Cid = "c-1", Pinned = true, Providers = new() } },
    };

    /// <summary>A checkpoint as an older module wrote it: Parquet.Net's serializer, the version-1 fields only.</summary>
    private static void Write<T>(string path, IEnumerable<T> rows, string? version)
    {
        var metadata = new Dictionary<string, string>();
        if (version is not null) metadata[ClusterSchema.SchemaVersionKey] = version;
        using var stream = File.Create(path);
        Task.Run(() => ParquetSerializer.SerializeAsync(rows, stream, null, metadata)).GetAwaiter().GetResult();
    }

#pragma warning disable CA1002, CA2227, CA1034 // serializer shapes: Parquet.Net needs settable List<T>
    public class V1CheckpointRow
    {
        [JsonPropertyName(N.ClusterId)] public string ClusterId { get; set; } = "";
        [JsonPropertyName(N.MasterId)] public string? MasterId { get; set; }
        [JsonPropertyName(N.UpdatedAt), ParquetTimestamp(ParquetTimestampResolution.Milliseconds)] public DateTime? UpdatedAt { get; set; }
        [JsonPropertyName(N.Nodes)] public List<V1Node> Nodes { get; set; } = new();
        [JsonPropertyName(N.Tasks)] public List<V1Task> Tasks { get; set; } = new();
        [JsonPropertyName(N.Content)] public List<V1Content> Content { get; set; } = new();
    }

    public sealed class RowWithExtra : V1CheckpointRow
    {
        [JsonPropertyName("priority")] public int? Priority { get; set; }
    }

    public sealed class V1Node
    {
        [JsonPropertyName(N.Id)] public string Id { get; set; } = "";
        [JsonPropertyName(N.Role)] public string? Role { get; set; }
        [JsonPropertyName(N.Status)] public string? Status { get; set; }
        [JsonPropertyName(N.Peers)] public List<string>? Peers { get; set; }
        [JsonPropertyName(N.Capabilities)] public List<string>? Capabilities { get; set; }
        [JsonPropertyName(N.Resources)] public V1NodeResources? Resources { get; set; }
    }

    public sealed class V1NodeResources
    {
        [JsonPropertyName(N.CpuCount)] public int? CpuCount { get; set; }
        [JsonPropertyName(N.CpuLoad)] public float? CpuLoad { get; set; }
        [JsonPropertyName(N.GpuCount)] public int? GpuCount { get; set; }
        [JsonPropertyName(N.GpuAvailable)] public bool? GpuAvailable { get; set; }
        [JsonPropertyName(N.MemoryTotal)] public long? MemoryTotal { get; set; }
        [JsonPropertyName(N.MemoryAvailable)] public long? MemoryAvailable { get; set; }
        [JsonPropertyName(N.DiskTotal)] public long? DiskTotal { get; set; }
        [JsonPropertyName(N.DiskAvailable)] public long? DiskAvailable { get; set; }
    }

    public sealed class V1Task
    {
        [JsonPropertyName(N.Id)] public string Id { get; set; } = "";
        [JsonPropertyName(N.Type)] public string? Type { get; set; }
        [JsonPropertyName(N.Status)] public string? Status { get; set; }
        [JsonPropertyName(N.CreatedAt), ParquetTimestamp(ParquetTimestampResolution.Milliseconds)] public DateTime? CreatedAt { get; set; }
        [JsonPropertyName(N.UpdatedAt), ParquetTimestamp(ParquetTimestampResolution.Milliseconds)] public DateTime? UpdatedAt { get; set; }
        [JsonPropertyName(N.AssignedTo)] public string? AssignedTo { get; set; }
        [JsonPropertyName(N.Resources)] public V1TaskResources? Resources { get; set; }
        [JsonPropertyName(N.InputCid)] public string? InputCid { get; set; }
        [JsonPropertyName(N.OutputCid)] public string? OutputCid { get; set; }
        [JsonPropertyName(N.InputCids)] public List<string>? InputCids { get; set; }
        [JsonPropertyName(N.OutputCids)] public List<string>? OutputCids { get; set; }
    }

    public sealed class V1TaskResources
    {
        [JsonPropertyName(N.CpuCores)] public int? CpuCores { get; set; }
        [JsonPropertyName(N.GpuCores)] public int? GpuCores { get; set; }
        [JsonPropertyName(N.MemoryMb)] public int? MemoryMb { get; set; }
    }

    public sealed class V1Content
    {
        [JsonPropertyName(N.Cid)] public string Cid { get; set; } = "";
        [JsonPropertyName(N.Size)] public long? Size { get; set; }
        [JsonPropertyName(N.CreatedAt), ParquetTimestamp(ParquetTimestampResolution.Milliseconds)] public DateTime? CreatedAt { get; set; }
        [JsonPropertyName(N.Providers)] public List<string>? Providers { get; set; }
        [JsonPropertyName(N.Pinned)] public bool? Pinned { get; set; }
        [JsonPropertyName(N.Replication)] public int? Replication { get; set; }
    }
#pragma warning restore CA1002, CA2227, CA1034
}
