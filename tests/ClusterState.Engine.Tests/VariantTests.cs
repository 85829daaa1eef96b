using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Apache.Arrow;
using Apache.Arrow.Types;
using Xunit;
using Array = System.Array;

namespace ClusterState.Engine.Tests;

/// <summary>
/// States written by others: the ipfs_kit_py ArrowClusterState variant (aliases, int8/int16,
/// pinned_at, extra fields including a map), and a state from a future version.
/// </summary>
public sealed class VariantTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    private static Field F(string name, IArrowType type) => new(name, type, true, null);

    private static ListArray OneRow(IArrowType itemType, StructArray items) =>
        new(new ListType(F("item", itemType)), 1, new ArrowBuffer.Builder<int>().Append(0).Append(items.Length).Build(), items, ArrowBuffer.Empty, 0, 0);

    private static ListArray Strings(params string[][] rows)
    {
        var b = new ListArray.Builder(StringType.Default);
        var values = (StringArray.Builder)b.ValueBuilder;
        foreach (var row in rows)
        {
            b.Append();
            foreach (var v in row) values.Append(v);
        }
        return b.Build();
    }

    /// <summary>Writes a state directory whose snapshot has exactly the ipfs_kit_py schema.</summary>
    internal static string WriteVariantState(TempDirectory dir, IReadOnlyDictionary<string, string>? schemaMetadata = null)
    {
        var ts = new TimestampType(TimeUnit.Millisecond, (string?)null);
        var resourcesType = new StructType(new[]
        {
            F("cpu_count", Int16Type.Default), F("cpu_usage", FloatType.Default), F("memory_total", Int64Type.Default), F("memory_available", Int64Type.Default),
            F("disk_total", Int64Type.Default), F("disk_free", Int64Type.Default), F("gpu_count", Int8Type.Default), F("gpu_available", BooleanType.Default),
        });
        var resources = new StructArray(resourcesType, 3, new IArrowArray[]
        {
            new Int16Array.Builder().Append(8).Append(16).Append(4).Build(),
            new FloatArray.Builder().Append(10f).Append(75.5f).Append(0f).Build(),
            new Int64Array.Builder().Append(16L << 30).Append(64L << 30).Append(8L << 30).Build(),
            new Int64Array.Builder().Append(8L << 30).Append(16L << 30).Append(8L << 30).Build(),
            new Int64Array.Builder().Append(1000).Append(1000).Append(1000).Build(),
            new Int64Array.Builder().Append(500).Append(250).Append(1000).Build(),
            new Int8Array.Builder().Append(0).Append(2).Append(0).Build(),
            new BooleanArray.Builder().Append(false).Append(true).Append(false).Build(),
        }, ArrowBuffer.Empty, 0, 0);
        var nodeType = new StructType(new[]
        {
            F("id", StringType.Default), F("peer_id", StringType.Default), F("role", StringType.Default), F("status", StringType.Default),
            F("address", StringType.Default), F("last_seen", ts), F("resources", resourcesType), F("tasks", new ListType(StringType.Default)),
            F("capabilities", new ListType(StringType.Default)),
        });
        var nodes = new StructArray(nodeType, 3, new IArrowArray[]
        {
            new StringArray.Builder().Append("m1").Append("w1").Append("w2").Build(),
            new StringArray.Builder().Append("QmPeerM").Append("QmPeer1").Append("QmPeer2").Build(),
            new StringArray.Builder().Append("master").Append("worker").Append("worker").Build(),
            new StringArray.Builder().Append("online").Append("online").Append("offline").Build(),
            new StringArray.Builder().Append("/ip4/10.0.0.1/tcp/4001").Append("/ip4/10.0.0.2/tcp/4001").Append("/ip4/10.0.0.3/tcp/4001").Build(),
            new TimestampArray.Builder(ts).Append(T0).Append(T0).Append(T0).Build(),
            resources,
            Strings(Array.Empty<string>(), new[] { "t1" }, Array.Empty<string>()),
            Strings(new[] { "coordination" }, new[] { "compute", "gpu" }, new[] { "compute" }),
        }, ArrowBuffer.Empty, 0, 0);

        var mapType = new MapType(StringType.Default, StringType.Default);
        var entriesType = (StructType)mapType.Fields[0].DataType;
        var entries = new StructArray(entriesType, 2, new IArrowArray[]
        {
            new StringArray.Builder().Append("model").Append("batch").Build(),
            new StringArray.Builder().Append("llama").Append("8").Build(),
        }, ArrowBuffer.Empty, 0, 0);
        var parameters = new MapArray(mapType, 2, new ArrowBuffer.Builder<int>().Append(0).Append(2).Append(2).Build(), entries, ArrowBuffer.Empty, 0, 0);
        var taskType = new StructType(new[]
        {
            F("id", StringType.Default), F("type", StringType.Default), F("status", StringType.Default), F("priority", Int8Type.Default),
            F("created_at", ts), F("updated_at", ts), F("assigned_to", StringType.Default), F("parameters", mapType), F("result_cid", StringType.Default),
        });
        var tasks = new StructArray(taskType, 2, new IArrowArray[]
        {
            new StringArray.Builder().Append("t1").Append("t2").Build(),
            new StringArray.Builder().Append("inference").Append("pin").Build(),
            new StringArray.Builder().Append("completed").Append("pending").Build(),
            new Int8Array.Builder().Append(5).Append(1).Build(),
            new TimestampArray.Builder(ts).Append(T0).Append(T0).Build(),
            new TimestampArray.Builder(ts).Append(T0).Append(T0).Build(),
            new StringArray.Builder().Append("w1").AppendNull().Build(),
            parameters,
            new StringArray.Builder().Append("bafy-result").AppendNull().Build(),
        }, ArrowBuffer.Empty, 0, 0);

        var contentType = new StructType(new[]
        {
            F("cid", StringType.Default), F("size", Int64Type.Default), F("providers", new ListType(StringType.Default)),
            F("replication", Int8Type.Default), F("pinned_at", ts),
        });
        var content = new StructArray(contentType, 2, new IArrowArray[]
        {
            new StringArray.Builder().Append("bafy-result").Append("bafy-loose").Build(),
            new Int64Array.Builder().Append(100).Append(200).Build(),
            Strings(new[] { "w1", "w1" }, Array.Empty<string>()),
            new Int8Array.Builder().Append(2).Append(1).Build(),
            new TimestampArray.Builder(ts).Append(T0).AppendNull().Build(),
        }, ArrowBuffer.Empty, 0, 0);

        var schema = new Apache.Arrow.Schema(new[]
        {
            F("cluster_id", StringType.Default), F("master_id", StringType.Default), F("updated_at", ts),
            F("nodes", new ListType(F("item", nodeType))), F("tasks", new ListType(F("item", taskType))), F("content", new ListType(F("item", contentType))),
        }, schemaMetadata);
        var batch = new RecordBatch(schema, new IArrowArray[]
        {
            new StringArray.Builder().Append("kit-cluster").Build(),
            new StringArray.Builder().Append("m1").Build(),
            new TimestampArray.Builder(ts).Append(T0).Build(),
            OneRow(nodeType, nodes), OneRow(taskType, tasks), OneRow(contentType, content),
        }, 1);
        string path = dir.Combine("kit");
        Directory.CreateDirectory(path);
        StateStore.WriteSnapshot(Path.Combine(path, "snapshot_00000001.arrow"), batch);
        StateStore.Publish(path, new StateMetadata("kit-cluster", "m1", 1, 1, "snapshot_00000001.arrow", T0.UtcDateTime));
        return path;
    }

    [Fact]
    public void Open_IpfsKitVariant_MapsAliasesWidensIntegersAndAnswersQueries()
    {
        using var dir = new TempDirectory();
        using var s = ClusterSnapshot.Open(WriteVariantState(dir));
        Assert.Equal(1, s.SchemaVersion);
        var w1 = s.FindNodes(new NodeQuery { Id = new[] { "w1" } }).Items.Single();
        Assert.Equal(16, w1.CpuCount);          // int16
        Assert.Equal(75.5f, w1.CpuLoad);        // cpu_usage
        Assert.Equal(250, w1.DiskAvailable);    // disk_free
        Assert.Equal(2, w1.GpuCount);           // int8
        Assert.Empty(w1.Peers);                 // not in the variant
        Assert.Equal(new[] { "w1" }, s.FindNodes(new NodeQuery { GpuAvailable = true }).Items.Select(n => n.Id));
        Assert.Equal(new[] { "w1", "w2" }, s.FindNodes(new NodeQuery { Role = new[] { "worker" } }).Items.Select(n => n.Id));
        var t1 = s.FindTasks(new TaskQuery { Status = new[] { "completed" } }).Items.Single();
        Assert.Equal("bafy-result", t1.OutputCid); // result_cid
        Assert.Null(t1.Resources);
        var content = s.FindContent(new ContentQuery()).Items.ToList();
        Assert.Equal(new bool?[] { true, false }, content.Select(c => c.Pinned)); // pinned_at set or not
        Assert.Equal(T0.UtcDateTime, content[0].CreatedAt);
        Assert.Equal(2, content[0].Replication);  // int8
        Assert.Equal(new[] { "bafy-loose" }, s.FindContent(new ContentQuery { Orphaned = true }).Items.Select(c => c.Cid));
        var status = ClusterAnalysis.GetStatus(s);
        Assert.Equal(28, status.CpuCoresTotal);
        Assert.Equal(2, status.GpusAvailable);
        var util = ClusterAnalysis.GetUtilization(s, new NodeQuery { Id = new[] { "w1" } }).Items.Single();
        Assert.Equal(0.755, util.CpuUtilization!.Value, 3);
        Assert.Equal(1.0, util.SuccessRate);
        Assert.Equal(1, ClusterAnalysis.GetContentMap(s, new ContentQuery { Cid = new[] { "bafy-result" } }).Items.Single().ProviderCount);
    }

    [Fact]
    public void Commit_IpfsKitVariant_KeepsItsExtraFieldsIncludingAMap()
    {
        using var dir = new TempDirectory();
        string path = WriteVariantState(dir);
        StateStore.Commit(path, new ChangeSet
        {
            UpdateTasks = { new TaskUpdate { Id = "t2", Status = "cancelled" } },
            AddTasks = { new ClusterTask { Id = "t3", Type = "pin", Status = "pending" } },
            AddNodes = { new ClusterNode { Id = "w3", Role = "worker", Status = "online" } },
        });
        using var s = ClusterSnapshot.Open(path);
        Assert.Equal(2, s.Generation);
        Assert.Equal("cancelled", s.FindTasks(new TaskQuery { Id = new[] { "t2" } }).Items.Single().Status);
        var tasks = (StructArray)((ListArray)s.RecordBatch.Column("tasks")).Values;
        var taskType = (StructType)tasks.Data.DataType;
        var priority = (Int8Array)tasks.Fields[taskType.GetFieldIndex("priority", StringComparer.Ordinal)];
        Assert.Equal(new sbyte?[] { 5, 1, null }, Enumerable.Range(0, 3).Select(i => priority.GetValue(i)));
        var parameters = (MapArray)tasks.Fields[taskType.GetFieldIndex("parameters", StringComparer.Ordinal)];
        Assert.Equal(2, parameters.GetValueLength(0));
        Assert.Equal("llama", ((StringArray)parameters.Values).GetString(0));
        Assert.Equal(0, parameters.GetValueLength(1));
        var nodes = (StructArray)((ListArray)s.RecordBatch.Column("nodes")).Values;
        var nodeType = (StructType)nodes.Data.DataType;
        var address = (StringArray)nodes.Fields[nodeType.GetFieldIndex("address", StringComparer.Ordinal)];
        Assert.Equal(new[] { "/ip4/10.0.0.1/tcp/4001", "/ip4/10.0.0.2/tcp/4001", "/ip4/10.0.0.3/tcp/4001", null },
            Enumerable.Range(0, 4).Select(i => address.GetString(i)));
        Assert.Equal(new[] { "m1", "w1", "w2", "w3" }, s.FindNodes(new NodeQuery()).Items.Select(n => n.Id));
    }

    [Fact]
    public void Commit_FieldOfANarrowerTypeThanThisModuleWrites_IsRefusedAndNothingChanges()
    {
        using var dir = new TempDirectory();
        string path = WriteVariantState(dir);
        var before = Directory.GetFiles(path).Where(f => !f.EndsWith("state.lock", StringComparison.Ordinal)).Select(File.ReadAllBytes).ToArray();
        var e = Assert.Throws<ClusterStateException>(() => StateStore.Commit(path, new ChangeSet
        {
            UpdateContent = { new ContentUpdate { Cid = "bafy-loose", Replication = 3 } },
        }));
        Assert.Equal(ErrorIds.SchemaMismatch, e.ErrorId);
        Assert.Equal(before, Directory.GetFiles(path).Where(f => !f.EndsWith("state.lock", StringComparison.Ordinal)).Select(File.ReadAllBytes).ToArray());
    }

    [Fact]
    public void Open_StateForAFutureReaderVersion_IsRefusedAndNeverRewritten()
    {
        using var dir = new TempDirectory();
        string path = WriteVariantState(dir, new Dictionary<string, string> { ["schema_version"] = "7", ["min_reader_version"] = "7" });
        ClusterSnapshot.ClearCache();
        var e = Assert.Throws<ClusterStateException>(() => ClusterSnapshot.Open(path));
        Assert.Equal(ErrorIds.SchemaVersionUnsupported, e.ErrorId);
        var before = Directory.GetFiles(path).Where(f => !f.EndsWith("state.lock", StringComparison.Ordinal)).Select(File.ReadAllBytes).ToArray();
        var c = Assert.Throws<ClusterStateException>(() => StateStore.Commit(path, new ChangeSet { RemoveTasks = { "t1" } }));
        Assert.Equal(ErrorIds.SchemaVersionUnsupported, c.ErrorId);
        Assert.Equal(before, Directory.GetFiles(path).Where(f => !f.EndsWith("state.lock", StringComparison.Ordinal)).Select(File.ReadAllBytes).ToArray());
    }

    [Fact]
    public void Open_NewerVersionWithoutAMinimumReader_IsReadAndItsVersionReported()
    {
        using var dir = new TempDirectory();
        string path = WriteVariantState(dir, new Dictionary<string, string> { ["schema_version"] = "3" });
        ClusterSnapshot.ClearCache();
        using var s = ClusterSnapshot.Open(path);
        Assert.Equal(3, s.SchemaVersion);
        Assert.Equal(3, s.NodeCount);
    }

    [Fact]
    public void Migrate_IpfsKitVariant_BecomesCanonicalKeepsExtrasAndAcceptsEveryChange()
    {
        using var dir = new TempDirectory();
        string path = WriteVariantState(dir);
        string Json(ClusterSnapshot s) => System.Text.Json.JsonSerializer.Serialize(new
        {
            nodes = s.FindNodes(new NodeQuery()).Items.ToList(),
            tasks = s.FindTasks(new TaskQuery()).Items.ToList(),
            content = s.FindContent(new ContentQuery()).Items.ToList(),
        });
        string before;
        using (var s = ClusterSnapshot.Open(path)) before = Json(s);
        var result = StateStore.Migrate(path);
        Assert.NotNull(result);
        Assert.Equal(2, result!.Generation);
        using (var s = ClusterSnapshot.Open(path))
        {
            Assert.Equal(2, s.SchemaVersion);
            Assert.Equal(before, Json(s));
            var nodeType = (StructType)((ListType)s.Schema.GetFieldByName("nodes").DataType).ValueDataType;
            Assert.Equal(new[] { "id", "role", "status", "peers", "capabilities", "resources", "peer_id", "address", "last_seen", "tasks" }, nodeType.Fields.Select(f => f.Name));
            var resources = (StructType)nodeType.Fields[5].DataType;
            Assert.Equal(ArrowTypeId.Int32, resources.Fields[0].DataType.TypeId);
            Assert.Equal("cpu_load", resources.Fields[1].Name);
            var taskType = (StructType)((ListType)s.Schema.GetFieldByName("tasks").DataType).ValueDataType;
            Assert.Contains("started_at", taskType.Fields.Select(f => f.Name));
            Assert.Contains("parameters", taskType.Fields.Select(f => f.Name));
        }
        // The change the narrow int8 column refused before now commits.
        StateStore.Commit(path, new ChangeSet { UpdateContent = { new ContentUpdate { Cid = "bafy-loose", Replication = 3 } } });
        using (var s = ClusterSnapshot.Open(path)) Assert.Equal(3, s.FindContent(new ContentQuery { Cid = new[] { "bafy-loose" } }).Items.Single().Replication);
        Assert.Null(StateStore.Migrate(path)); // already current: nothing written
    }

    [Fact]
    public void Migrate_Version1Sample_AddsTheVersion2FieldsAndKeepsEveryRow()
    {
        using var dir = new TempDirectory();
        var sample = TestStates.Sample(tasks: 200);
        string path = TestStates.Create(dir, sample, schemaVersion: 1);
        StateStore.Migrate(path);
        using var s = ClusterSnapshot.Open(path);
        Assert.Equal(2, s.SchemaVersion);
        Assert.Equal("2", s.Schema.Metadata["schema_version"]);
        var tasks = s.FindTasks(new TaskQuery()).Items.ToList();
        Assert.Equal(sample.Tasks.Select(t => t.Id), tasks.Select(t => t.Id));
        Assert.All(tasks, t => Assert.Null(t.StartedAt));
        Assert.Equal(2, StateMetadata.Read(path).SchemaVersion);
    }
}
