using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json.Serialization;
using System.Threading.Tasks;
using ClusterState.Storage;
using Parquet.Serialization;
using Parquet.Serialization.Attributes;

using N = ClusterState.ClusterSchema.Names;

namespace ClusterState;

/// <summary>
/// Parquet checkpoints (DESIGN.md §3): <c>state_&lt;cluster_id&gt;.parquet</c> (the latest) and
/// <c>checkpoints/state_&lt;cluster_id&gt;_&lt;unix_seconds&gt;.parquet</c>, each the nested one-row
/// schema with the seed's field names, readable by pyarrow, DuckDB and Spark. Written column by
/// column straight from the snapshot's Arrow buffers (ParquetColumns); read back through
/// Parquet.Net's serializer.
/// </summary>
public static class Checkpoints
{
    /// <summary>The folder of timestamped checkpoints inside a state directory.</summary>
    public const string Folder = "checkpoints";

    /// <summary>Writes a checkpoint of the current snapshot, keeps the newest <paramref name="keep"/>, and records parquet_path in the metadata.</summary>
    public static CheckpointInfo Save(string stateDirectory, int keep = 10, DateTime? now = null, Action<int, int>? progress = null)
    {
        if (keep < 1)
            throw new ClusterStateException(ErrorIds.InvalidArgument, ClusterStateErrorKind.InvalidArgument, "Keep at least one checkpoint.", keep);
        stateDirectory = System.IO.Path.GetFullPath(stateDirectory);
        using var snapshot = ClusterSnapshot.Open(stateDirectory);
        using var checkpointLock = WriterLock.Acquire(stateDirectory, TimeSpan.FromMinutes(5), WriterLock.CheckpointFileName);
        return SaveLocked(stateDirectory, snapshot, keep, now, progress);
    }

    /// <summary>
    /// Writes a checkpoint if the state's <see cref="CheckpointPolicy"/> says one is due (called
    /// after commits). Returns null when no policy is set, none is due, or another process is
    /// writing a checkpoint right now.
    /// </summary>
    public static CheckpointInfo? SaveIfDue(string stateDirectory, DateTime? now = null, Action<int, int>? progress = null)
    {
        stateDirectory = System.IO.Path.GetFullPath(stateDirectory);
        DateTime at = now ?? DateTime.UtcNow;
        static bool Due(StateMetadata m, DateTime at) => m.CheckpointPolicy?.IsDue(m.Generation, m.CheckpointGeneration, m.CheckpointAt, at) == true;
        if (!Due(StateMetadata.Read(stateDirectory), at)) return null;
        using var checkpointLock = WriterLock.TryAcquire(stateDirectory, WriterLock.CheckpointFileName);
        if (checkpointLock is null) return null;
        // Another process may have written one between the first look and taking the lock.
        var metadata = StateMetadata.Read(stateDirectory);
        if (!Due(metadata, at)) return null;
        using var snapshot = ClusterSnapshot.Open(stateDirectory);
        return SaveLocked(stateDirectory, snapshot, metadata.CheckpointPolicy!.Keep, now, progress);
    }

    /// <summary>Sets (or, with null, removes) the automatic checkpoint policy of a state; the generation does not change.</summary>
    public static void SetPolicy(string stateDirectory, CheckpointPolicy? policy)
    {
        if (policy is not null && (policy.Keep < 1 || policy.EveryCommits < 1 || policy.EverySeconds < 1 || (policy.EveryCommits is null && policy.EverySeconds is null)))
            throw new ClusterStateException(ErrorIds.InvalidArgument, ClusterStateErrorKind.InvalidArgument,
                "A checkpoint policy needs a positive number of commits or seconds (or both) and keeps at least one checkpoint.", policy);
        StateStore.UpdateMetadata(System.IO.Path.GetFullPath(stateDirectory), m => m.CheckpointPolicy = policy);
    }

    /// <summary>Writes the nested one-row schema of <paramref name="snapshot"/> to <paramref name="stream"/> (a checkpoint's content, with its key/value metadata).</summary>
    internal static void WriteNested(ClusterSnapshot snapshot, Stream stream, Action<int, int>? progress) =>
        Persistence.ParquetColumns.WriteNested(snapshot, stream, FileMetadata(snapshot), progress);

    private static Dictionary<string, string> FileMetadata(ClusterSnapshot snapshot) => new()
    {
        [ClusterSchema.SchemaVersionKey] = snapshot.SchemaVersion.ToString(CultureInfo.InvariantCulture),
        [ClusterSchema.GenerationKey] = snapshot.Generation.ToString(CultureInfo.InvariantCulture),
        [N.ClusterId] = snapshot.ClusterId,
    };

    private static CheckpointInfo SaveLocked(string stateDirectory, ClusterSnapshot snapshot, int keep, DateTime? now, Action<int, int>? progress)
    {
        string folder = System.IO.Path.Combine(stateDirectory, Folder);
        Directory.CreateDirectory(folder);
        DateTime taken = (now ?? DateTime.UtcNow).ToUniversalTime();
        long seconds = new DateTimeOffset(taken).ToUnixTimeSeconds();
        // Names never go back in time: a second checkpoint within the same second takes the next
        // one, so "newest" stays the one written last even after older files were pruned.
        var existing = List(stateDirectory);
        if (existing.Count > 0) seconds = Math.Max(seconds, new DateTimeOffset(existing[0].CreatedAt).ToUnixTimeSeconds() + 1);
        string name = FileStem(snapshot.ClusterId);
        string path = System.IO.Path.Combine(folder, $"{name}_{seconds}.parquet");
        AtomicFile.Write(path, stream => WriteNested(snapshot, stream, progress), durable: true, "checkpoint", writeBehind: true);
        string latest = System.IO.Path.Combine(stateDirectory, name + ".parquet");
        AtomicFile.Link(path, latest, "checkpoint");
        StateStore.UpdateMetadata(stateDirectory, m =>
        {
            m.ParquetPath = latest;
            // A newer checkpoint recorded meanwhile (by a restore's new generation, say) is not replaced by an older one.
            if (m.CheckpointGeneration is not long g || g <= snapshot.Generation)
            {
                m.CheckpointGeneration = snapshot.Generation;
                // The time itself, not the whole second in the file name: age rules compare against it.
                m.CheckpointAt = taken;
            }
        });
        foreach (var old in List(stateDirectory).Skip(keep)) AtomicFile.TryDelete(old.Path);
        return Describe(path, stateDirectory);
    }

    /// <summary>The checkpoints of a state, newest first.</summary>
    public static IReadOnlyList<CheckpointInfo> List(string stateDirectory)
    {
        string folder = System.IO.Path.Combine(stateDirectory, Folder);
        if (!Directory.Exists(folder)) return Array.Empty<CheckpointInfo>();
        return Directory.GetFiles(folder, "state_*.parquet").Select(f => Describe(f, stateDirectory))
            .OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Path, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Makes a checkpoint the current state, as a normal commit (the next generation). The file is
    /// read completely first: a damaged checkpoint or one of another cluster changes nothing.
    /// </summary>
    public static StateMetadata Restore(string stateDirectory, string checkpointPath)
    {
        stateDirectory = System.IO.Path.GetFullPath(stateDirectory);
        var row = Read(checkpointPath);
        string clusterId;
        using (var current = ClusterSnapshot.Open(stateDirectory)) clusterId = current.ClusterId;
        if (!string.Equals(row.ClusterId, clusterId, StringComparison.Ordinal))
            throw new ClusterStateException(ErrorIds.CheckpointClusterMismatch, ClusterStateErrorKind.InvalidArgument,
                $"The checkpoint '{checkpointPath}' belongs to cluster '{row.ClusterId}', not to '{clusterId}'; nothing was restored.", checkpointPath);
        return StateStore.Create(stateDirectory, FromRow(row), new CreateStateOptions { Force = true });
    }

    /// <summary>Reads a checkpoint file into typed state content (for Import-ClusterState too).</summary>
    public static StateContent ReadContent(string checkpointPath) => FromRow(Read(checkpointPath));

    private static CheckpointRow Read(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            var result = Task.Run(() => ParquetSerializer.DeserializeAsync<CheckpointRow>(stream)).GetAwaiter().GetResult();
            if (result.Data.Count != 1) throw new InvalidDataException($"it holds {result.Data.Count} rows, not one");
            return result.Data[0];
        }
        catch (FileNotFoundException e)
        {
            throw new ClusterStateException(ErrorIds.CheckpointNotFound, ClusterStateErrorKind.NotFound, $"The checkpoint '{path}' does not exist.", path, e);
        }
#pragma warning disable CA1031 // whatever the Parquet reader throws, the file is not a usable checkpoint
        catch (Exception e) when (e is not ClusterStateException and not OutOfMemoryException)
#pragma warning restore CA1031
        {
            throw new ClusterStateException(ErrorIds.CheckpointCorrupt, ClusterStateErrorKind.InvalidData,
                $"The checkpoint '{path}' cannot be read ({e.GetType().Name}: {e.Message}); nothing was restored.", path, e);
        }
    }

    private static CheckpointInfo Describe(string path, string stateDirectory)
    {
        string stem = System.IO.Path.GetFileNameWithoutExtension(path);
        int cut = stem.LastIndexOf('_');
        long seconds = cut > 0 && long.TryParse(stem.AsSpan(cut + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long s) ? s : 0;
        return new CheckpointInfo
        {
            Path = path,
            ClusterId = cut > 6 ? stem[6..cut] : "",
            CreatedAt = DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime,
            SizeBytes = new FileInfo(path).Length,
            StatePath = stateDirectory,
        };
    }

    private static string FileStem(string clusterId)
    {
        var invalid = System.IO.Path.GetInvalidFileNameChars();
        return "state_" + new string(clusterId.Select(c => invalid.Contains(c) || c == '_' ? '-' : c).ToArray());
    }

    private static StateContent FromRow(CheckpointRow row) => new()
    {
        ClusterId = row.ClusterId,
        MasterId = row.MasterId ?? "",
        UpdatedAt = Utc(row.UpdatedAt),
        Nodes = row.Nodes.Select(n => new ClusterNode
        {
            Id = n.Id, Role = n.Role, Status = n.Status, Peers = (n.Peers ?? new()).ToArray(), Capabilities = (n.Capabilities ?? new()).ToArray(),
            Resources = n.Resources is { } r ? new NodeResources
            {
                CpuCount = r.CpuCount, CpuLoad = r.CpuLoad, GpuCount = r.GpuCount, GpuAvailable = r.GpuAvailable,
                MemoryTotal = r.MemoryTotal, MemoryAvailable = r.MemoryAvailable, DiskTotal = r.DiskTotal, DiskAvailable = r.DiskAvailable,
            } : null,
        }).ToList(),
        Tasks = row.Tasks.Select(t => new ClusterTask
        {
            Id = t.Id, Type = t.Type, Status = t.Status, CreatedAt = Utc(t.CreatedAt), UpdatedAt = Utc(t.UpdatedAt), AssignedTo = t.AssignedTo,
            Resources = t.Resources is { } r ? new TaskResources { CpuCores = r.CpuCores, GpuCores = r.GpuCores, MemoryMB = r.MemoryMb } : null,
            InputCid = t.InputCid, OutputCid = t.OutputCid, InputCids = (t.InputCids ?? new()).ToArray(), OutputCids = (t.OutputCids ?? new()).ToArray(),
            StartedAt = Utc(t.StartedAt), CompletedAt = Utc(t.CompletedAt),
        }).ToList(),
        Content = row.Content.Select(c => new ClusterContent
        {
            Cid = c.Cid, Size = c.Size, CreatedAt = Utc(c.CreatedAt), Providers = (c.Providers ?? new()).ToArray(), Pinned = c.Pinned, Replication = c.Replication,
        }).ToList(),
    };

    private static DateTime? Utc(DateTime? t) => t is DateTime d ? DateTime.SpecifyKind(d, DateTimeKind.Utc) : null;

#pragma warning disable CA1812, CA1002, CA2227 // serializer shapes: instantiated by Parquet.Net, which needs settable List<T>
    private sealed class CheckpointRow
    {
        [JsonPropertyName(N.ClusterId)] public string ClusterId { get; set; } = "";
        [JsonPropertyName(N.MasterId)] public string? MasterId { get; set; }
        [JsonPropertyName(N.UpdatedAt), ParquetTimestamp(ParquetTimestampResolution.Milliseconds)] public DateTime? UpdatedAt { get; set; }
        [JsonPropertyName(N.Nodes)] public List<NodeItem> Nodes { get; set; } = new();
        [JsonPropertyName(N.Tasks)] public List<TaskItem> Tasks { get; set; } = new();
        [JsonPropertyName(N.Content)] public List<ContentItem> Content { get; set; } = new();
    }

    private sealed class NodeItem
    {
        [JsonPropertyName(N.Id)] public string Id { get; set; } = "";
        [JsonPropertyName(N.Role)] public string? Role { get; set; }
        [JsonPropertyName(N.Status)] public string? Status { get; set; }
        [JsonPropertyName(N.Peers)] public List<string>? Peers { get; set; } = new();
        [JsonPropertyName(N.Capabilities)] public List<string>? Capabilities { get; set; } = new();
        [JsonPropertyName(N.Resources)] public NodeResourcesItem? Resources { get; set; }
    }

    private sealed class NodeResourcesItem
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

    private sealed class TaskItem
    {
        [JsonPropertyName(N.Id)] public string Id { get; set; } = "";
        [JsonPropertyName(N.Type)] public string? Type { get; set; }
        [JsonPropertyName(N.Status)] public string? Status { get; set; }
        [JsonPropertyName(N.CreatedAt), ParquetTimestamp(ParquetTimestampResolution.Milliseconds)] public DateTime? CreatedAt { get; set; }
        [JsonPropertyName(N.UpdatedAt), ParquetTimestamp(ParquetTimestampResolution.Milliseconds)] public DateTime? UpdatedAt { get; set; }
        [JsonPropertyName(N.AssignedTo)] public string? AssignedTo { get; set; }
        [JsonPropertyName(N.Resources)] public TaskResourcesItem? Resources { get; set; }
        [JsonPropertyName(N.InputCid)] public string? InputCid { get; set; }
        [JsonPropertyName(N.OutputCid)] public string? OutputCid { get; set; }
        [JsonPropertyName(N.InputCids)] public List<string>? InputCids { get; set; } = new();
        [JsonPropertyName(N.OutputCids)] public List<string>? OutputCids { get; set; } = new();
        [JsonPropertyName(N.StartedAt), ParquetTimestamp(ParquetTimestampResolution.Milliseconds)] public DateTime? StartedAt { get; set; }
        [JsonPropertyName(N.CompletedAt), ParquetTimestamp(ParquetTimestampResolution.Milliseconds)] public DateTime? CompletedAt { get; set; }
    }

    private sealed class TaskResourcesItem
    {
        [JsonPropertyName(N.CpuCores)] public int? CpuCores { get; set; }
        [JsonPropertyName(N.GpuCores)] public int? GpuCores { get; set; }
        [JsonPropertyName(N.MemoryMb)] public int? MemoryMb { get; set; }
    }

    private sealed class ContentItem
    {
        [JsonPropertyName(N.Cid)] public string Cid { get; set; } = "";
        [JsonPropertyName(N.Size)] public long? Size { get; set; }
        [JsonPropertyName(N.CreatedAt), ParquetTimestamp(ParquetTimestampResolution.Milliseconds)] public DateTime? CreatedAt { get; set; }
        [JsonPropertyName(N.Providers)] public List<string>? Providers { get; set; } = new();
        [JsonPropertyName(N.Pinned)] public bool? Pinned { get; set; }
        [JsonPropertyName(N.Replication)] public int? Replication { get; set; }
    }
#pragma warning restore CA1812, CA1002, CA2227
}
