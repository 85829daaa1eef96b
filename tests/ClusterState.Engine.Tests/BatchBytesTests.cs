using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using ClusterState.Schema;
using Xunit;

namespace ClusterState.Engine.Tests;

/// <summary>
/// The batch StateBatchBuilder makes from a sample state (with nulls, empty and missing lists,
/// null structs and unspecified kinds) is pinned by the hash of its IPC bytes, captured from the
/// hand-written builder before it was driven by the field tables (issue 14).
/// </summary>
public class BatchBytesTests
{
    [Theory]
    [InlineData(1, "C06214B1CE8F44BF13456C25EF0AB316D16F20F573852C51ED9AFE017EE71CBB")]
    [InlineData(2, "4E98FFA0DE4CE86BEB89D701D813FBA6194A101DE604CD65D619ADB2DF952890")]
    public void SampleBatch_IsByteForByteTheHandWrittenBuildersOne(int version, string expectedSha256)
    {
        Assert.Equal(expectedSha256, Sha256(SampleBatchBytes(version)));
    }

    internal static byte[] SampleBatchBytes(int version)
    {
        var sample = new SampleCluster(new SampleOptions { NodeCount = 20, TaskCount = 300, ContentCount = 200 });
        var b = new StateBatchBuilder(version);
        foreach (var n in sample.Nodes) b.Add(n);
        b.Add(new ClusterNode { Id = "bare" });
        b.Add(new ClusterNode { Id = "partial", Role = "odd", Peers = null!, Resources = new NodeResources { CpuLoad = float.NaN, GpuAvailable = false } });
        foreach (var t in sample.Tasks) b.Add(t);
        b.Add(new ClusterTask { Id = "bare" });
        b.Add(new ClusterTask
        {
            Id = "local", CreatedAt = new DateTime(2026, 3, 4, 5, 6, 6, DateTimeKind.Utc), UpdatedAt = new DateTime(2026, 3, 4, 5, 6, 7, DateTimeKind.Unspecified),
            StartedAt = new DateTime(2026, 3, 4, 5, 6, 8, DateTimeKind.Utc), Resources = new TaskResources { GpuCores = 2 }, InputCids = null!,
        });
        foreach (var c in sample.Content) b.Add(c);
        b.Add(new ClusterContent { Cid = "bare" });
        b.Add(new ClusterContent { Cid = "pinned", Pinned = false, Replication = 0, Size = 0, Providers = null! });
        using var batch = b.Build(sample.ClusterId, sample.MasterId, new DateTime(2026, 11, 1, 12, 0, 0, DateTimeKind.Utc), 7);
        using var stream = new MemoryStream();
        using (var writer = new ArrowStreamWriter(stream, batch.Schema, leaveOpen: true))
        {
            writer.WriteRecordBatch(batch);
            writer.WriteEnd();
        }
        return stream.ToArray();
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes));
}
