using System;
using System.Globalization;
using System.IO;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClusterState;

/// <summary>
/// The contents of <c>state_metadata.json</c>: the pointer to the current snapshot plus facts
/// about it. Keys this module does not know are kept and written back unchanged.
/// </summary>
public sealed class StateMetadata
{
    /// <summary>The metadata file's name inside a state directory.</summary>
    public const string FileName = "state_metadata.json";

    /// <summary>
    /// The largest generation a state may reach: 2^53, the largest integer every JSON reader
    /// (JavaScript's numbers included) holds exactly. Far beyond any real number of commits, and it
    /// keeps <c>generation + 1</c> and the snapshot file name from overflowing.
    /// </summary>
    public const long MaxGeneration = 1L << 53;

    private static readonly System.Buffers.SearchValues<char> PathSeparators = System.Buffers.SearchValues.Create("/\\\0");
    private static readonly string[] RequiredKeys = { "cluster_id", "master_id", "schema_version", "generation", "snapshot", "updated_at" };

    private readonly JsonObject _json;

    private StateMetadata(JsonObject json) => _json = json;


    /// <summary>Creates metadata for a new snapshot.</summary>
    public StateMetadata(string clusterId, string masterId, int schemaVersion, long generation, string snapshot, DateTime updatedAt)
        : this(new JsonObject())
    {
        ClusterId = clusterId;
        MasterId = masterId;
        SchemaVersion = schemaVersion;
        Generation = generation;
        Snapshot = snapshot;
        UpdatedAt = updatedAt;
    }

#pragma warning disable CS1591 // the keys are documented in docs/FORMAT.md and DESIGN.md §3
    public string ClusterId { get => GetString("cluster_id"); set => _json["cluster_id"] = value; }
    public string MasterId { get => GetString("master_id"); set => _json["master_id"] = value; }
    public int SchemaVersion { get => (int)GetInteger("schema_version"); set => _json["schema_version"] = (long)value; }
    public long Generation { get => GetInteger("generation"); set => _json["generation"] = value; }
    public string Snapshot { get => GetString("snapshot"); set => _json["snapshot"] = value; }
    public DateTime UpdatedAt
    {
        get => DateTime.Parse(GetString("updated_at"), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        set => _json["updated_at"] = value.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
    }
    public string? ParquetPath { get => _json["parquet_path"]?.GetValue<string>(); set => _json["parquet_path"] = value; }
#pragma warning restore CS1591

    /// <summary>
    /// The commit log that follows the snapshot (<c>log</c>, a bare file name; DESIGN.md §5), or
    /// null when the snapshot alone is the state (a state of the first layout, or just compacted).
    /// </summary>
    public string? Log
    {
        get => _json["log"] is JsonValue v && v.TryGetValue(out string? s) ? s : null;
        set
        {
            // A summary belongs to its log: another log (or none) drops it.
            if (value != Log) LogSummary = null;
            // No log is no key (a reader of the first layout never sees one).
            if (value is null) _json.Remove("log");
            else _json["log"] = value;
        }
    }

    /// <summary>
    /// The log's summary (<c>log_summary</c>, a bare file name; docs/FORMAT.md "The log summary"):
    /// one record equal to the log's records up to <see cref="LogSummaryOffset"/>, which readers
    /// may read instead of them. Null when there is none; setting it null also drops the offset.
    /// </summary>
    public string? LogSummary
    {
        get => _json["log_summary"] is JsonValue v && v.TryGetValue(out string? s) ? s : null;
        set
        {
            if (value is null)
            {
                _json.Remove("log_summary");
                _json.Remove("log_summary_offset");
            }
            else _json["log_summary"] = value;
        }
    }

    /// <summary>The byte of the log after the last record the summary stands for (<c>log_summary_offset</c>); 0 without a summary.</summary>
    public long LogSummaryOffset
    {
        get => _json["log_summary_offset"] is null ? 0 : GetInteger("log_summary_offset");
        set => _json["log_summary_offset"] = value;
    }

    /// <summary>
    /// The generation of the snapshot a log follows (<c>base_generation</c>), for bases whose
    /// schema does not carry theirs (snapshots of other writers): without it such a base would take
    /// the current generation and no longer match its log. Absent without a log.
    /// </summary>
    public long? BaseGeneration
    {
        get => _json["base_generation"] is null ? null : GetInteger("base_generation");
        set
        {
            if (value is null) _json.Remove("base_generation");
            else _json["base_generation"] = value;
        }
    }

    /// <summary>
    /// The log the current base superseded (<c>previous_log</c>, a bare file name) and the last
    /// generation it published (<c>previous_log_end</c>): set when a compaction, restore, import or
    /// migration switches to a new base. The change feed reads that log's records up to exactly
    /// that generation (bytes after it may be a crashed commit's leftover), and cleanup keeps it.
    /// </summary>
    public string? PreviousLog
    {
        get => _json["previous_log"] is JsonValue v && v.TryGetValue(out string? s) ? s : null;
        set
        {
            if (value is null) _json.Remove("previous_log");
            else _json["previous_log"] = value;
        }
    }

    /// <summary>The last generation <see cref="PreviousLog"/> published (<c>previous_log_end</c>).</summary>
    public long? PreviousLogEnd
    {
        get => _json["previous_log_end"] is null ? null : GetInteger("previous_log_end");
        set
        {
            if (value is null) _json.Remove("previous_log_end");
            else _json["previous_log_end"] = value;
        }
    }

    /// <summary>Notes, on metadata about to switch to a new base, that <paramref name="superseded"/>'s log (if it has one) is the previous log.</summary>
    internal void Supersede(StateMetadata superseded)
    {
        if (superseded.Log is null) return; // the state was a bare base: the log it superseded stays the previous one
        PreviousLog = superseded.Log;
        PreviousLogEnd = superseded.Generation;
    }

    /// <summary>
    /// The generation of the latest replacement of the whole state (<c>replaced_generation</c>: a
    /// restore, an import over it, a schema migration). Such a generation has no commit record, so
    /// the change feed could not tell it from a commit whose record a compaction folded away.
    /// </summary>
    public long? ReplacedGeneration
    {
        get => _json["replaced_generation"] is null ? null : GetInteger("replaced_generation");
        set
        {
            if (value is null) _json.Remove("replaced_generation");
            else _json["replaced_generation"] = value;
        }
    }

    /// <summary>The bytes of <see cref="Log"/> that make this generation (<c>log_length</c>): what lies after them is not read.</summary>
    public long LogLength
    {
        get => _json["log_length"] is null ? 0 : GetInteger("log_length");
        set
        {
            if (value == 0) _json.Remove("log_length");
            else _json["log_length"] = value;
        }
    }

    /// <summary>The generation the latest checkpoint was taken of (<c>checkpoint_generation</c>).</summary>
    public long? CheckpointGeneration
    {
        get => _json["checkpoint_generation"] is null ? null : GetInteger("checkpoint_generation");
        set => _json["checkpoint_generation"] = value;
    }

    /// <summary>When the latest checkpoint was taken (<c>checkpoint_at</c>, UTC).</summary>
    public DateTime? CheckpointAt
    {
        get => _json["checkpoint_at"] is JsonValue v && v.TryGetValue(out string? s)
            && DateTime.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t) ? t : null;
        set => _json["checkpoint_at"] = value?.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
    }

    /// <summary>The automatic checkpoint policy (<c>checkpoint_policy</c>), or null when there is none.</summary>
    public CheckpointPolicy? CheckpointPolicy
    {
        get => _json["checkpoint_policy"] is JsonObject o ? CheckpointPolicy.FromJson(o) : null;
        set => _json["checkpoint_policy"] = value?.ToJson();
    }

    /// <summary>Reads and validates the metadata of a state directory.</summary>
    public static StateMetadata Read(string stateDirectory)
    {
        string path = System.IO.Path.Combine(stateDirectory, FileName);
        byte[] bytes;
        int read;
        try
        {
            // One open and one read, no stream: a commit reads the metadata three times (its peek,
            // under the writer lock, its publication), and the buffered stream's open and close were
            // two thirds of a read's time (eight writer processes, a reader beside them).
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            long length = RandomAccess.GetLength(file);
            if (length > MaxFileBytes) throw Invalid(path, $"it holds {length:N0} bytes, more than state metadata can ({MaxFileBytes:N0})");
            bytes = new byte[length];
            read = RandomAccess.Read(file, bytes, 0);
        }
        catch (FileNotFoundException e)
        {
            throw new ClusterStateException(ErrorIds.StateNotFound, ClusterStateErrorKind.NotFound,
                $"'{stateDirectory}' is not a cluster state: it has no {FileName}.", stateDirectory, e);
        }
        return FromJson(() => JsonNode.Parse(bytes.AsSpan(0, read)), path);
    }

    /// <summary>
    /// The largest metadata file read: ours is under a KiB (its one list, the superseded
    /// checkpoints, is short); the file's size is bounded before a buffer is sized by it.
    /// </summary>
    public const int MaxFileBytes = 1 << 20;

    /// <summary>Parses and validates metadata received from elsewhere (a ClusterState server); <paramref name="source"/> names it in errors.</summary>
    public static StateMetadata Parse(ReadOnlySpan<byte> json, string source)
    {
        var bytes = json.ToArray();
        return FromJson(() => JsonNode.Parse(bytes), source);
    }

    /// <summary>The generation after <paramref name="generation"/>; a state at <see cref="MaxGeneration"/> takes no more commits.</summary>
    internal static long Next(long generation, string directory) => generation < MaxGeneration
        ? generation + 1
        : throw new ClusterStateException(ErrorIds.MetadataInvalid, ClusterStateErrorKind.InvalidData,
            $"The state '{directory}' is at generation {generation}, the largest there can be ({MaxGeneration}); it takes no more commits. Create it anew to start the generations over.", directory);

    private static StateMetadata FromJson(Func<JsonNode?> parse, string source)
    {
        JsonNode? node;
        try
        {
            node = parse();
            // JsonObject reads its properties lazily and throws ArgumentException on a duplicate
            // key only then: make it happen here, where it can be reported as invalid metadata.
            if (node is JsonObject o) _ = o.Count;
        }
        catch (JsonException e)
        {
            throw Invalid(source, $"it is not valid JSON ({e.Message})", e);
        }
        catch (ArgumentException e)
        {
            throw Invalid(source, $"it holds a key twice ({e.Message})", e);
        }
        if (node is not JsonObject json) throw Invalid(source, "it is not a JSON object");
        var metadata = new StateMetadata(json);
        metadata.Validate(source);
        return metadata;
    }

    /// <summary>Writes the metadata as indented JSON to <paramref name="stream"/>.</summary>
    internal void WriteTo(System.IO.Stream stream)
    {
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        _json.WriteTo(writer);
    }

    /// <summary>A copy that can be changed for the next commit without touching this one.</summary>
    internal StateMetadata Clone() => new((JsonObject)_json.DeepClone());

    /// <summary>The metadata as indented JSON.</summary>
    public override string ToString() => _json.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    private void Validate(string path)
    {
        foreach (var key in RequiredKeys)
        {
            if (_json[key] is null) throw Invalid(path, $"the key '{key}' is missing");
        }
        string snapshot;
        long minReader = 0;
        try
        {
            _ = ClusterId; _ = MasterId; _ = SchemaVersion; _ = UpdatedAt;
            snapshot = Snapshot;
            // A negative generation names snapshots cleanup never removes; one past the maximum overflows.
            if (Generation is < 0 or > MaxGeneration)
                throw new FormatException($"'generation' {Generation} is outside 0..{MaxGeneration}.");
            if (_json[ClusterSchema.MinReaderVersionKey] is not null) minReader = GetInteger(ClusterSchema.MinReaderVersionKey);
            if (_json["log"] is not null && Log is null) throw new FormatException("'log' must be a string.");
            if (LogLength is < 0 or > int.MaxValue) throw new FormatException($"'log_length' {LogLength} is outside 0..{int.MaxValue}.");
            if (_json["log_summary"] is not null && (LogSummary is null || Log is null)) throw new FormatException("'log_summary' must be a string, beside a 'log'.");
            if (LogSummaryOffset < 0 || LogSummaryOffset > LogLength) throw new FormatException($"'log_summary_offset' {LogSummaryOffset} is outside 0..{LogLength} (the log's length).");
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException or OverflowException)
        {
            throw Invalid(path, e.Message, e);
        }
        Storage.SnapshotData.RefuseFutureVersion((int)Math.Clamp(minReader, 0, int.MaxValue), path);
        // The snapshot must be a bare file name inside this directory: never follow a pointer elsewhere.
        foreach (var (key, name) in new[] { ("snapshot", snapshot), ("log", Log), ("log_summary", LogSummary) })
        {
            if (name is null) continue;
            if (name.Length == 0 || name != System.IO.Path.GetFileName(name) || name is "." or ".."
                || name.AsSpan().IndexOfAny(PathSeparators) >= 0)
            {
                throw Invalid(path, $"its {key} '{name}' is not a bare file name inside the state directory");
            }
        }
    }

    private string GetString(string key) => _json[key] is JsonValue v && v.TryGetValue(out string? s) ? s
        : throw new FormatException($"'{key}' must be a string.");

    private long GetInteger(string key) => _json[key] switch
    {
        JsonValue v when v.TryGetValue(out long l) => l,
        JsonValue v when v.TryGetValue(out int i) => i,
        JsonValue v when v.TryGetValue(out string? s) && long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out long p) => p,
        _ => throw new FormatException($"'{key}' must be an integer."),
    };

    private static ClusterStateException Invalid(string path, string why, Exception? inner = null) =>
        new(ErrorIds.MetadataInvalid, ClusterStateErrorKind.InvalidData, $"The state metadata '{path}' is invalid: {why}.", path, inner);
}
