using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Apache.Arrow;
using Xunit;

namespace ClusterState.Engine.Tests;

public sealed class SnapshotTests : IClassFixture<SampleStateFixture>
{
    private readonly SampleStateFixture _state;

    public SnapshotTests(SampleStateFixture state) => _state = state;

    [Fact]
    public void Open_SampleState_HasGeneratorCountsAndIds()
    {
        using var snapshot = ClusterSnapshot.Open(_state.Path);
        Assert.Equal(_state.Sample.ClusterId, snapshot.ClusterId);
        Assert.Equal(_state.Sample.MasterId, snapshot.MasterId);
        Assert.Equal(40, snapshot.NodeCount);
        Assert.Equal(2000, snapshot.TaskCount);
        Assert.Equal(500, snapshot.ContentCount);
        Assert.Equal(1, snapshot.Generation);
        Assert.Equal(ClusterSchema.CurrentVersion, snapshot.SchemaVersion);
        Assert.Equal(_state.Sample.Options.ReferenceTime, snapshot.UpdatedAt);
    }

    [Fact]
    public void Open_SampleState_EveryRowRoundTripsExactly()
    {
        using var snapshot = ClusterSnapshot.Open(_state.Path);
        AssertSameJson(_state.Sample.Nodes, snapshot.FindNodes(new NodeQuery()).Items);
        AssertSameJson(_state.Sample.Tasks, snapshot.FindTasks(new TaskQuery()).Items);
        AssertSameJson(_state.Sample.Content, snapshot.FindContent(new ContentQuery()).Items);
    }

    [Fact]
    public void Open_SampleState_EveryBufferPointsIntoTheMapping()
    {
        using var snapshot = ClusterSnapshot.Open(_state.Path);
        Assert.True(snapshot.IsZeroCopy());
    }

    [Fact]
    public void Metadata_SampleState_HasTheDesignKeys()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(_state.Path, "state_metadata.json")));
        var root = doc.RootElement;
        foreach (var key in new[] { "cluster_id", "master_id", "schema_version", "generation", "snapshot", "updated_at" })
            Assert.True(root.TryGetProperty(key, out _), key);
        Assert.Equal(_state.Sample.ClusterId, root.GetProperty("cluster_id").GetString());
        Assert.Equal(1, root.GetProperty("generation").GetInt64());
        Assert.True(File.Exists(Path.Combine(_state.Path, root.GetProperty("snapshot").GetString()!)));
    }

    [Fact]
    public void Schema_SampleState_CarriesVersionAndGenerationMetadata()
    {
        using var snapshot = ClusterSnapshot.Open(_state.Path);
        Assert.Equal("2", snapshot.Schema.Metadata["schema_version"]);
        Assert.Equal("1", snapshot.Schema.Metadata["generation"]);
        Assert.Equal(new[] { "cluster_id", "master_id", "updated_at", "nodes", "tasks", "content" },
            snapshot.Schema.FieldsList.Select(f => f.Name));
    }

    [Fact]
    public void Dispose_ThenUseArrays_ThrowsObjectDisposedInsteadOfReadingFreedMemory()
    {
        // A bare file is not cached, so its handle holds the only reference to the mapping.
        var snapshot = ClusterSnapshot.OpenFile(Directory.GetFiles(_state.Path, "*.arrow").Single());
        var tasks = (ListArray)snapshot.RecordBatch.Column("tasks");
        snapshot.Dispose();
        Assert.Throws<ObjectDisposedException>(() => tasks.ValueOffsets[0]);
        Assert.Throws<ObjectDisposedException>(() => snapshot.TaskCount);
    }

    internal static void AssertSameJson<T>(System.Collections.Generic.IEnumerable<T> expected, System.Collections.Generic.IEnumerable<T> actual)
    {
        var e = expected.Select(x => JsonSerializer.Serialize(x)).ToArray();
        var a = actual.Select(x => JsonSerializer.Serialize(x)).ToArray();
        Assert.Equal(e.Length, a.Length);
        for (int i = 0; i < e.Length; i++) Assert.Equal(e[i], a[i]);
    }
}
