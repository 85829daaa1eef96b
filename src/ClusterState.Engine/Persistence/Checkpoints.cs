using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using ClusterState.Storage;

using N = ClusterState.ClusterSchema.Names;

namespace ClusterState;

/// <summary>
/// Parquet checkpoints (DESIGN.md §3): <c>state_&lt;cluster_id&gt;.parquet</c> (the latest) and
/// <c>checkpoints/state_&lt;cluster_id&gt;_&lt;unix_seconds&gt;.parquet</c>, each the nested one-row
/// schema with the seed's field names, readable by pyarrow, DuckDB and Spark. Written column by
/// column straight from the snapshot's Arrow buffers (ParquetColumns); read back column by column
/// into Arrow arrays and through the field tables' row readers (ParquetCheckpointReader).
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
        var content = Read(checkpointPath);
        string clusterId;
        using (var current = ClusterSnapshot.Open(stateDirectory)) clusterId = current.ClusterId;
        if (!string.Equals(content.ClusterId, clusterId, StringComparison.Ordinal))
            throw new ClusterStateException(ErrorIds.CheckpointClusterMismatch, ClusterStateErrorKind.InvalidArgument,
                $"The checkpoint '{checkpointPath}' belongs to cluster '{content.ClusterId}', not to '{clusterId}'; nothing was restored.", checkpointPath);
        return StateStore.Create(stateDirectory, content, new CreateStateOptions { Force = true });
    }

    /// <summary>Reads a checkpoint file into typed state content (for Import-ClusterState too).</summary>
    public static StateContent ReadContent(string checkpointPath) => Read(checkpointPath);

    private static StateContent Read(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return Persistence.ParquetCheckpointReader.Read(stream);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ClusterStateException(ErrorIds.CheckpointNotFound, ClusterStateErrorKind.NotFound, $"The checkpoint '{path}' does not exist.", path, e);
        }
#pragma warning disable CA1031 // whatever the Parquet reader throws, the file is not a usable checkpoint
        // The arrays are rebuilt consistent, but the row readers check them again; their snapshot errors mean this file.
        catch (Exception e) when (e is not ClusterStateException and not OutOfMemoryException
                                  || e is ClusterStateException { ErrorId: ErrorIds.SnapshotCorrupt or ErrorIds.SchemaMismatch })
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
}
