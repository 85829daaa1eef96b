using System;
using System.Collections;
using System.Collections.Specialized;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using Xunit;

namespace ClusterState.Engine.Tests;

/// <summary>
/// The JSON, CSV, Parquet and hashtable views of a sample state (with nulls, empty lists and
/// null structs) are pinned by hashes captured from the hand-written mappings before they were
/// driven by the field tables (issue 14), so moving a mapping to the tables changes no byte.
/// </summary>
public sealed class ExportBytesTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    internal static StateContent SampleContent()
    {
        var sample = new SampleCluster(new SampleOptions { NodeCount = 20, TaskCount = 300, ContentCount = 200 });
        var content = sample.ToStateContent();
        content.UpdatedAt = new DateTime(2026, 11, 1, 12, 0, 0, DateTimeKind.Utc);
        content.Nodes = content.Nodes.Concat(new[]
        {
            new ClusterNode { Id = "bare" },
            new ClusterNode { Id = "partial", Role = "odd, \"quoted\"", Peers = new[] { "p;1", "p2" }, Resources = new NodeResources { CpuLoad = 0.1f, GpuAvailable = false } },
        }).ToList();
        content.Tasks = content.Tasks.Concat(new[]
        {
            new ClusterTask { Id = "bare", CreatedAt = new DateTime(2026, 3, 4, 5, 6, 6, DateTimeKind.Utc), UpdatedAt = new DateTime(2026, 3, 4, 5, 6, 6, DateTimeKind.Utc) },
            new ClusterTask
            {
                Id = "partial", CreatedAt = new DateTime(2026, 3, 4, 5, 6, 6, DateTimeKind.Utc), UpdatedAt = new DateTime(2026, 3, 4, 5, 6, 7, DateTimeKind.Utc),
                StartedAt = new DateTime(2026, 3, 4, 5, 6, 8, DateTimeKind.Utc), Resources = new TaskResources { GpuCores = 2 },
            },
        }).ToList();
        content.Content = content.Content.Concat(new[]
        {
            new ClusterContent { Cid = "bare", CreatedAt = new DateTime(2026, 3, 4, 5, 6, 6, DateTimeKind.Utc) },
            new ClusterContent { Cid = "pinned", Pinned = false, Replication = 0, Size = 0, CreatedAt = new DateTime(2026, 3, 4, 5, 6, 6, DateTimeKind.Utc) },
        }).ToList();
        return content;
    }

    private ClusterSnapshot OpenSample()
    {
        string path = _dir.Combine("state");
        StateStore.Create(path, SampleContent());
        return ClusterSnapshot.Open(path);
    }

    [Fact]
    public void Json_IsByteForByteTheHandWrittenMappingsOne()
    {
        using var s = OpenSample();
        using var stream = new MemoryStream();
        StateExport.WriteJson(s, stream);
        Assert.Equal("C5478D2FAFA4E5ABC9B56C160C9B83D611D6628A2C5BDB22584374915CA564DE", Sha256(stream.ToArray()));
    }

    [Fact]
    public void Csv_IsByteForByteTheHandWrittenMappingsOne()
    {
        using var s = OpenSample();
        var files = StateExport.Write(s, _dir.Combine("csv"), ExportFormat.Csv, overwrite: false);
        Assert.Equal("26218ED3EDB14998BE294B339C47075149A299C9DE20158B44F4F01C9F0B4FCD", Sha256(files.SelectMany(File.ReadAllBytes).ToArray()));
    }

    [Fact]
    public void ParquetNested_IsByteForByteTheHandWrittenMappingsOne()
    {
        using var s = OpenSample();
        var files = StateExport.Write(s, _dir.Combine("state.parquet"), ExportFormat.ParquetNested, overwrite: false);
        Assert.Equal("CCC52172D93F419FA10210B408721BB77F0990FAD8FA1272023E4DB00A1679A5", Sha256(files.SelectMany(File.ReadAllBytes).ToArray()));
    }

    [Fact]
    public void ParquetFlat_IsByteForByteTheHandWrittenMappingsOne()
    {
        using var s = OpenSample();
        var files = StateExport.Write(s, _dir.Combine("parquet"), ExportFormat.Parquet, overwrite: false);
        Assert.Equal("3899E6A2AEA5770BAA91113CA6EA218A30C4DAC006189DE372C502C17975E917", Sha256(files.SelectMany(File.ReadAllBytes).ToArray()));
    }

    [Fact]
    public void Hashtable_IsTheHandWrittenMappingsOne()
    {
        using var s = OpenSample();
        var text = new StringBuilder();
        Dump(StateHashtable.Build(s), text);
        Assert.Equal("BF1B65A3EE6B8A5D27F8F543141D245BA5F433C4781C0BCED4E0F539B56C6525", Sha256(Encoding.UTF8.GetBytes(text.ToString())));
    }

    [Fact]
    public void JsonImport_OfTheExport_ExportsTheSameBytes()
    {
        using var s = OpenSample();
        string json = _dir.Combine("export.json");
        StateExport.Write(s, json, ExportFormat.Json, overwrite: false);
        StateImport.Import(json, _dir.Combine("imported"));
        using var imported = ClusterSnapshot.Open(_dir.Combine("imported"));
        using var a = new MemoryStream();
        using var b = new MemoryStream();
        StateExport.WriteJson(s, a);
        StateExport.WriteJson(imported, b);
        Assert.Equal(Encoding.UTF8.GetString(a.ToArray()).Replace("\"generation\":1", "", StringComparison.Ordinal),
            Encoding.UTF8.GetString(b.ToArray()).Replace("\"generation\":1", "", StringComparison.Ordinal));
    }

    [Fact]
    public void CheckpointRestore_ExportsTheSameJson()
    {
        string path = _dir.Combine("state");
        StateStore.Create(path, SampleContent());
        string before;
        using (var s = ClusterSnapshot.Open(path)) before = JsonOf(s);
        var info = Checkpoints.Save(path);
        StateStore.Commit(path, new ChangeSet { RemoveTasks = { "bare" }, RemoveNodes = { "bare" }, RemoveContent = { "bare" } });
        Checkpoints.Restore(path, info.Path);
        using var restored = ClusterSnapshot.Open(path);
        Assert.Equal(WithoutGeneration(before), WithoutGeneration(JsonOf(restored)));
    }

    private static string JsonOf(ClusterSnapshot s)
    {
        using var stream = new MemoryStream();
        StateExport.WriteJson(s, stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string WithoutGeneration(string json) => System.Text.RegularExpressions.Regex.Replace(json, "\"generation\":[0-9]+", "");

    /// <summary>Keys, value types and values, in order (what a PowerShell user of the hashtable sees).</summary>
    internal static void Dump(object? value, StringBuilder text)
    {
        switch (value)
        {
            case null: text.Append("null"); break;
            case OrderedDictionary d:
                text.Append('{');
                foreach (DictionaryEntry e in d)
                {
                    text.Append(e.Key).Append('=');
                    Dump(e.Value, text);
                    text.Append(';');
                }
                text.Append('}');
                break;
            case string str: text.Append("s:").Append(str); break;
            case IEnumerable list:
                text.Append(value.GetType().Name).Append('[');
                foreach (var item in list)
                {
                    Dump(item, text);
                    text.Append(',');
                }
                text.Append(']');
                break;
            case DateTime t: text.Append("t:").Append(t.Kind).Append(t.Ticks.ToString(CultureInfo.InvariantCulture)); break;
            case IFormattable f: text.Append(value.GetType().Name).Append(':').Append(f.ToString(null, CultureInfo.InvariantCulture)); break;
            default: text.Append(value.GetType().Name).Append(':').Append(value); break;
        }
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes));
}
