using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using ClusterState.Schema;

namespace ClusterState.Storage;

/// <summary>
/// The immutable content of one mapped snapshot file, shared by every <see cref="ClusterSnapshot"/>
/// handle opened on it: the mapping, the record batch, the bound columns and lazily built
/// derived data (indexes). Each handle holds one reference on the mapping.
/// </summary>
internal sealed class SnapshotData
{
    private static ReadOnlySpan<byte> Magic => "ARROW1"u8;

    private readonly Dictionary<string, object> _derived = new(StringComparer.Ordinal);
    private int _validatedAll;

    private SnapshotData(MappedFile mapping, RecordBatch batch, StateMetadata? metadata, FileStamp stamp)
    {
        Mapping = mapping;
        Batch = batch;
        Stamp = stamp;
        var schemaMetadata = batch.Schema.Metadata ?? new Dictionary<string, string>();
        if (schemaMetadata.TryGetValue(ClusterSchema.MinReaderVersionKey, out var min))
            RefuseFutureVersion(int.TryParse(min, NumberStyles.Integer, CultureInfo.InvariantCulture, out int m) ? m : int.MaxValue, mapping.Path);
        SchemaVersion = ReadVersion(schemaMetadata, batch);
        Generation = schemaMetadata.TryGetValue(ClusterSchema.GenerationKey, out var g) && long.TryParse(g, NumberStyles.Integer, CultureInfo.InvariantCulture, out long gen)
            ? gen
            : metadata?.BaseGeneration ?? metadata?.Generation ?? 0; // with a log, the metadata's generation is the log's
        // Bind every entity now: a wrong schema fails on open with a clear error, not mid-query.
        Nodes = new NodeColumns(batch);
        Tasks = new TaskColumns(batch);
        Content = new ContentColumns(batch);
        ClusterId = ReadScalarString(batch, ClusterSchema.Names.ClusterId) ?? metadata?.ClusterId ?? "";
        MasterId = ReadScalarString(batch, ClusterSchema.Names.MasterId) ?? metadata?.MasterId ?? "";
        UpdatedAt = Scalar(batch, ClusterSchema.Names.UpdatedAt) is TimestampArray ts && !ts.IsNull(0)
            ? ts.GetTimestampUnchecked(0).UtcDateTime
            : metadata?.UpdatedAt;
    }

    /// <summary>
    /// The state of a base and its commit log (DESIGN.md §5): the base's mapping and batch, the
    /// log's mapping, and entity columns that read the base's rows and the log's latest ones as
    /// one (see EntityColumns). Holds a reference on both mappings. An entity whose merge is
    /// <paramref name="previous"/>'s own (no record since touched it: EntityMerge keeps its
    /// result) keeps <paramref name="previous"/>'s columns, with whatever they built lazily,
    /// instead of binding its fields again.
    /// </summary>
    private SnapshotData(SnapshotData baseData, (string Path, ulong Device, ulong Inode) log, LogContents contents, RowMerge[] merges, int applied, string? damage, RecordBatch top,
        SnapshotData? previous = null)
    {
        Mapping = baseData.Mapping;
        Batch = baseData.Batch;
        Stamp = baseData.Stamp;
        BaseData = baseData;
        _log = log;
        Log = contents;
        AppliedRecords = applied;
        LogDamage = damage;
        SchemaVersion = baseData.SchemaVersion;
        bool Same(int k) => previous?._merges is { } before && ReferenceEquals(before[k], merges[k]);
        Nodes = Same(0) ? previous!.Nodes : new NodeColumns(Batch, new RecordParts(contents.Records, applied, 0), merges[0]);
        Tasks = Same(1) ? previous!.Tasks : new TaskColumns(Batch, new RecordParts(contents.Records, applied, 1), merges[1]);
        Content = Same(2) ? previous!.Content : new ContentColumns(Batch, new RecordParts(contents.Records, applied, 2), merges[2]);
        var last = applied > 0 ? contents.Records[applied - 1] : null;
        Generation = last?.Generation ?? baseData.Generation;
        ClusterId = baseData.ClusterId;
        MasterId = ReadScalarString(top, ClusterSchema.Names.MasterId) ?? baseData.MasterId;
        UpdatedAt = Scalar(top, ClusterSchema.Names.UpdatedAt) is TimestampArray ts && !ts.IsNull(0) ? ts.GetTimestampUnchecked(0).UtcDateTime : baseData.UpdatedAt;
        _merges = merges;
        _records = contents.Records;
        _top = top;
    }

    private readonly RecordBatch? _top;


    /// <summary>The state's schema: the base's, with this generation in its metadata (no fold needed).</summary>
    public Apache.Arrow.Schema StateSchema => BaseData is null ? Batch.Schema
        : Volatile.Read(ref _stateSchema) ?? Interlocked.CompareExchange(ref _stateSchema, ClusterSchema.WithGeneration(Batch.Schema, Generation), null) ?? _stateSchema!;

    private Apache.Arrow.Schema? _stateSchema;

    /// <summary>A batch with the state's top-level values (cluster, master, updated_at) and its full schema, without folding: the base's, or for a merged state the base's with the last record's values (its entity lists are the base's: read the rows through the entity columns).</summary>
    public RecordBatch TopBatch => _top ?? Batch;

    private readonly (string Path, ulong Device, ulong Inode) _log;
    private readonly RowMerge[]? _merges;
    private readonly IReadOnlyList<CommitRecord>? _records;
    private RecordBatch? _stateBatch;
    private SnapshotData? _flat;

    /// <summary>The base this state merges its log over; null when this is a base read alone.</summary>
    public SnapshotData? BaseData { get; }

    /// <summary>The commit log read (records that passed their checks), or null without a log.</summary>
    public LogContents? Log { get; }

    /// <summary>How many of the records read make this state (a summary counts as one).</summary>
    public int AppliedRecords { get; }

    /// <summary>
    /// Whether the base's schema is this module's own for its version, field for field and type
    /// for type (checked once per base): then what the module builds on it is what readers read.
    /// </summary>
    public bool HasOwnSchema => BaseData?.HasOwnSchema ?? (_ownSchema ??= ArrowTypes.Same(Batch.Schema, ClusterSchema.Build(SchemaVersion, 0)));

    private bool? _ownSchema;

    /// <summary>Commits since the base (what the log holds, whether read record by record or through a summary).</summary>
    public long CommitsSinceBase => BaseData is null ? 0 : Generation - BaseData.Generation;

    /// <summary>Why the log was read only up to <see cref="AppliedRecords"/> (a torn or damaged record), or null.</summary>
    public string? LogDamage { get; }

    /// <summary>
    /// The whole state as one batch: the base's own when there is no log, else base and log
    /// folded together once (a copy, O(state)): for the writers that take a single batch
    /// (exports, checkpoints, the state flight). Queries use the merged columns instead.
    /// </summary>
    public RecordBatch StateBatch => BaseData is null ? Batch
        : Volatile.Read(ref _stateBatch) ?? Interlocked.CompareExchange(ref _stateBatch, AppliedRecords == 0 ? Batch : Compaction.Fold(new EntityColumns[] { Nodes, Tasks, Content }, TopBatch, Generation), null) ?? _stateBatch!;

    /// <summary>This state with every row in one batch (<see cref="StateBatch"/>): itself when there is no log.</summary>
    public SnapshotData Flat => BaseData is null ? this
        : Volatile.Read(ref _flat) ?? Interlocked.CompareExchange(ref _flat, new SnapshotData(Mapping, StateBatch, null, Stamp), null) ?? _flat!;

    /// <summary>The state as the bytes of one Arrow IPC file (see ClusterSnapshot.FileBytes).</summary>
    public ReadOnlyMemory<byte> FileBytes => BaseData is null ? Mapping.Memory
        : Volatile.Read(ref _fileBytes) ?? Interlocked.CompareExchange(ref _fileBytes, WriteFile(StateBatch), null) ?? _fileBytes!;

    private byte[]? _fileBytes;

    private static byte[] WriteFile(RecordBatch batch)
    {
        using var stream = new MemoryStream();
        using (var writer = new ArrowFileWriter(stream, batch.Schema, leaveOpen: true))
        {
            writer.WriteRecordBatch(batch);
            writer.WriteEnd();
        }
        return stream.ToArray();
    }

    /// <summary>Takes a reference on what this state reads in place (the base's mapping; a log is read into memory); pair with <see cref="Release"/>.</summary>
    public void AddReference() => Mapping.AddReference();

    /// <summary>Releases a reference taken by <see cref="AddReference"/> (or the one a load made).</summary>
    public void Release() => Mapping.Release();

    /// <summary>
    /// The state of <paramref name="baseData"/> and the log <paramref name="logPath"/> up to
    /// <paramref name="logLength"/> bytes. Reads stop at a torn or damaged record (the state is
    /// that of the records before it; <see cref="LogDamage"/> says why). A log that does not
    /// follow this base (another base generation or schema) is SnapshotCorrupt. The result holds
    /// its own references; the caller keeps its reference on <paramref name="baseData"/>.
    /// A log read before (<paramref name="previous"/>) is read on from where it ended; a log read
    /// afresh starts from the summary <paramref name="metadata"/> names, when there is one that serves.
    /// </summary>
    public static SnapshotData WithLog(SnapshotData baseData, string logPath, long logLength, SnapshotData? previous = null, StateMetadata? metadata = null)
    {
        RefuseIrregularFile(logPath, FileStamp.Of(logPath), followLinks: false);
        // The log is read into memory (it is O(changes), and records then outlive any mapping).
        // A log only grows while it is the log of its base, so a state read before from the same
        // file keeps its records and only the new tail is read (the file's identity decides).
        var identity = NativeMethods.TryStat(logPath) is { } stat ? (logPath, stat.Device, stat.Inode) : (logPath, 0UL, 0UL);
        try
        {
            using var file = File.OpenHandle(logPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            long fileLength = RandomAccess.GetLength(file);
            int length = (int)Math.Min(fileLength, logLength);
            void Check(Apache.Arrow.Schema schema) => CheckFollows(schema, baseData, logPath);
            LogContents ReadOn(LogContents known)
            {
                var tail = new byte[length - known.Length];
                RandomAccess.Read(file, tail, known.Length);
                return CommitLog.ReadMore(known, tail, logPath); // the schema was checked when the log was first read
            }
            if (previous is { Log: { } read, LogDamage: null } && ReferenceEquals(previous.BaseData, baseData) && previous._log == identity
                && identity.Item3 != 0 && read.Length <= length)
            {
                return Merge(baseData, identity, ReadOn(read), fileLength, logLength, previous);
            }
            // A summary serves when the log after it reads whole and merges: anything else (a summary
            // that does not fit the log, damage after it) is judged on the log alone.
            if (metadata is not null && LogSummary.TryRead(Path.GetDirectoryName(logPath) ?? "", metadata, baseData.Generation, Check) is { } summary
                && summary.Length <= length && ReadOn(summary) is { Damage: null } summarised
                && (summarised.Records.Count == 1 || summarised.Records[1].Generation == summarised.Records[0].Generation + 1))
            {
                var merged = Merge(baseData, identity, summarised, fileLength, logLength);
                if (merged.LogDamage is null) return merged;
                merged.Release();
            }
            var bytes = new byte[length];
            RandomAccess.Read(file, bytes, 0);
            // Checked before records are decoded: a damaged schema message would otherwise bind them
            // to a schema of its own and fail as something other than SnapshotCorrupt.
            return Merge(baseData, identity, CommitLog.Read(bytes, logPath, Check, decoded: true), fileLength, logLength);
        }
        catch (FileNotFoundException e)
        {
            throw new ClusterStateException(ErrorIds.SnapshotMissing, ClusterStateErrorKind.NotFound,
                $"The commit log '{logPath}' does not exist.", logPath, e);
        }
    }

    /// <summary>
    /// The state of <paramref name="baseData"/> and a log a compaction wrote for it before its
    /// switch (<paramref name="bytes"/>, written to <paramref name="writtenPath"/>, a temporary
    /// name the switch renames to <paramref name="logPath"/>): merged as a read of
    /// <paramref name="logPath"/> would merge it, so the reads after the switch go on from it and
    /// read only the records carried under the lock. Null when the file has no identity to go on
    /// from (no stat here) or the records do not merge cleanly: the first read then reads the log.
    /// </summary>
    internal static SnapshotData? Carried(SnapshotData baseData, string logPath, string writtenPath, byte[] bytes)
    {
        if (NativeMethods.TryStat(writtenPath) is not { } stat) return null;
        var contents = CommitLog.Read(bytes, logPath, schema => CheckFollows(schema, baseData, logPath), decoded: true);
        var merged = Merge(baseData, (logPath, stat.Device, stat.Inode), contents, bytes.Length, bytes.Length);
        if (merged.LogDamage is null) return merged;
        merged.Release();
        return null;
    }

    /// <summary>
    /// The state of a base and the log records read: merged, with the base's mapping referenced
    /// once more. Given the state read before from a shorter part of the same log
    /// (<paramref name="previous"/>), the merge goes on from where it stood; the log rows are read
    /// in the records themselves (DeltaScope), so a new generation costs its new records and the
    /// merge's bookkeeping, not a copy of every row the log wrote since the base.
    /// </summary>
    private static SnapshotData Merge(SnapshotData baseData, (string Path, ulong Device, ulong Inode) identity, LogContents contents, long fileLength, long logLength,
        SnapshotData? previous = null)
    {
        var bases = new EntityColumns[] { baseData.Nodes, baseData.Tasks, baseData.Content };
        var merges = EntityMerge.Build(bases, contents.Records, out int applied, out string? mergeDamage, out var progress, previous?._progress);
        string? damage = contents.Damage ?? mergeDamage;
        if (damage is null && fileLength < logLength) damage = $"the file holds {fileLength} of its {logLength} published bytes";
        var top = Compaction.Top(baseData.Batch, applied > 0 ? contents.Records[applied - 1] : null);
        baseData.Mapping.AddReference();
        return new SnapshotData(baseData, identity, contents, merges, applied, damage, top, previous) { _progress = progress };
    }

    /// <summary>Where this state's merge stands, for the next generation's read to go on from.</summary>
    private EntityMerge.Progress? _progress;

    /// <summary>A log follows a base when it names the base's generation and starts with the base's columns, type for type.</summary>
    private static void CheckFollows(Apache.Arrow.Schema logSchema, SnapshotData baseData, string logPath)
    {
        var baseFields = baseData.Batch.Schema.FieldsList;
        bool follows = logSchema.Metadata is { } m
            && m.TryGetValue(ClusterSchema.BaseGenerationKey, out var g) && g == baseData.Generation.ToString(CultureInfo.InvariantCulture)
            && m.TryGetValue(ClusterSchema.LogFormatKey, out var format) && format == ClusterSchema.LogFormat
            && logSchema.FieldsList.Count >= baseFields.Count
            && baseFields.Select((f, i) => f.Name == logSchema.FieldsList[i].Name && ArrowTypes.Same(f.DataType, logSchema.FieldsList[i].DataType)).All(x => x);
        if (!follows)
            throw new ClusterStateException(ErrorIds.SnapshotCorrupt, ClusterStateErrorKind.InvalidData,
                $"The commit log '{logPath}' does not follow the snapshot of generation {baseData.Generation} (another base, schema or log format).", logPath);
    }

    /// <summary>
    /// Validates every buffer of every column (<see cref="ArrayValidation"/>) as a rewrite needs
    /// it (offsets also start at 0): one pass over all offsets, O(size of the state). Reads
    /// validate lazily, column by column; whatever rewrites the snapshot from this one (a commit,
    /// a migration, a copy) calls this first, so damage is refused instead of being copied into
    /// the next generation or driving a copy out of bounds. Remembered once it succeeded.
    /// </summary>
    /// <exception cref="ClusterStateException">SnapshotCorrupt naming the damaged column.</exception>
    public void ValidateAll()
    {
        // A merged state's log rows were validated when the log was read; its base is validated once for all its generations.
        if (BaseData is not null)
        {
            BaseData.ValidateAll();
            return;
        }
        if (Volatile.Read(ref _validatedAll) != 0) return;
        for (int i = 0; i < Batch.ColumnCount; i++)
            ArrayValidation.Validate(Batch.Column(i), Batch.Length, Batch.Schema.FieldsList[i].Name, forRewrite: true);
        Volatile.Write(ref _validatedAll, 1);
    }

    /// <summary>Refuses a state whose writer says readers older than <paramref name="minReaderVersion"/> cannot read it.</summary>
    public static void RefuseFutureVersion(int minReaderVersion, string path)
    {
        if (minReaderVersion > ClusterSchema.CurrentVersion)
            throw new ClusterStateException(ErrorIds.SchemaVersionUnsupported, ClusterStateErrorKind.InvalidData,
                $"'{path}' was written for readers of schema version {minReaderVersion} or later; this module reads up to version {ClusterSchema.CurrentVersion}. Update the module; the state is left as it is.", path);
    }

    public MappedFile Mapping { get; }
    public RecordBatch Batch { get; }
    public FileStamp Stamp { get; }
    public NodeColumns Nodes { get; }
    public TaskColumns Tasks { get; }
    public ContentColumns Content { get; }
    public string ClusterId { get; }
    public string MasterId { get; }
    public DateTime? UpdatedAt { get; }
    public long Generation { get; }
    public int SchemaVersion { get; }

    /// <summary>
    /// Maps and validates a snapshot file. The caller owns the returned data's one mapping reference.
    /// A snapshot found through a state directory's metadata (<paramref name="followLinks"/> false)
    /// must be a regular file in that directory, not a symbolic link leading elsewhere; a file the
    /// caller named itself may be a link to a regular file.
    /// </summary>
    public static SnapshotData Load(string snapshotPath, StateMetadata? metadata, bool followLinks = false)
    {
        MappedFile mapping;
        FileStamp stamp;
        try
        {
            stamp = FileStamp.Of(snapshotPath);
            RefuseIrregularFile(snapshotPath, stamp, followLinks);
            mapping = MappedFile.Open(snapshotPath);
        }
        catch (FileNotFoundException e)
        {
            throw new ClusterStateException(ErrorIds.SnapshotMissing, ClusterStateErrorKind.NotFound,
                $"The snapshot '{snapshotPath}' does not exist.", snapshotPath, e);
        }
        try
        {
            var bytes = mapping.Memory;
            CheckFileFrame(bytes.Span, snapshotPath);
            if (!IpcLayout.VectorsFit(bytes.Span[8..]))
                throw Corrupt(snapshotPath, "an Arrow message claims more entries than it holds");
            // The IPC file body after the 8-byte magic is a stream: schema message, then the batch.
            // ArrowStreamReader over memory makes every buffer a slice of the mapping (zero copy).
            RecordBatch? batch;
            try
            {
                using var reader = new ArrowStreamReader(bytes.Slice(8));
                batch = reader.ReadNextRecordBatch();
            }
            catch (Exception e) when (e is not ClusterStateException and not OutOfMemoryException)
            {
                // Some writers (arrow-js) put the schema only in the footer, not at the start of the
                // body. Such a file is read through its footer, which copies the buffers; the next
                // commit writes it in the zero-copy layout. A body that does start with a schema
                // failed for another reason: damage, which the footer reader would meet again after
                // allocating what the damaged lengths say (4 GiB seen in the fuzz loop).
                batch = (IpcLayout.StartsWithSchema(bytes.Span[8..]) ? null : ReadThroughFooter(snapshotPath)) ?? throw Corrupt(snapshotPath, $"its Arrow messages cannot be read ({e.GetType().Name}: {e.Message})", e);
            }
            if (batch is null) throw Corrupt(snapshotPath, "it holds no record batch");
            return new SnapshotData(mapping, batch, metadata, stamp);
        }
        catch
        {
            mapping.Release();
            throw;
        }
    }

    /// <summary>
    /// Refuses what is not a regular file before it is opened: opening a FIFO for reading blocks
    /// until a writer comes, forever. .NET reports no file type beyond directory and link, but a
    /// FIFO, socket or device has size 0 to stat, and an empty file is no snapshot either, so the
    /// size read by the stat already taken refuses them all without an open.
    /// </summary>
    internal static void RefuseIrregularFile(string path, FileStamp stamp, bool followLinks)
    {
        var info = new FileInfo(path);
        if (!followLinks && info.LinkTarget is not null)
            throw Corrupt(path, $"it is a symbolic link (to '{info.LinkTarget}'); a snapshot must be a regular file inside the state directory");
        if (stamp.Length == 0 || info.Attributes.HasFlag(FileAttributes.Directory))
            throw Corrupt(path, "it is empty or not a regular file (a FIFO, socket or device)");
    }

    private static RecordBatch? ReadThroughFooter(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new ArrowFileReader(stream);
            return reader.ReadNextRecordBatch();
        }
#pragma warning disable CA1031 // any failure here means the file is damaged; the caller reports the first error
        catch (Exception)
        {
            return null;
        }
#pragma warning restore CA1031
    }

    /// <summary>Whether the derived data of <paramref name="key"/> was built on this snapshot (or is being built).</summary>
    public bool Holds(string key)
    {
        lock (_derived) return _derived.ContainsKey(key);
    }

    /// <summary>
    /// Derived data computed once per snapshot and shared by all its handles (an index, a set
    /// of distinct values). Safe to call from several threads; the factory runs once per key.
    /// </summary>
    public T GetOrAdd<T>(string key, Func<SnapshotData, T> factory)
        where T : class
    {
        // One build per key: threads that ask while it is built wait for it (four committing
        // threads building the same million-id index at once took the cores from everything else).
        Lazy<object> lazy;
        lock (_derived)
        {
            if (!_derived.TryGetValue(key, out var existing)) _derived[key] = existing = new Lazy<object>(() => factory(this), LazyThreadSafetyMode.ExecutionAndPublication);
            lazy = (Lazy<object>)existing;
        }
        try
        {
            return (T)lazy.Value;
        }
        catch
        {
            // A failed build is not remembered: the next caller tries again.
            lock (_derived)
            {
                if (_derived.TryGetValue(key, out var current) && ReferenceEquals(current, lazy)) _derived.Remove(key);
            }
            throw;
        }
    }

    private static void CheckFileFrame(ReadOnlySpan<byte> bytes, string path)
    {
        // magic(6) + pad(2) + messages ... + footer + footer length(4) + magic(6)
        if (bytes.Length < 8 || !bytes[..6].SequenceEqual(Magic))
            throw new ClusterStateException(ErrorIds.SnapshotCorrupt, ClusterStateErrorKind.InvalidData,
                $"'{path}' is not an Arrow IPC file (it does not start with ARROW1).", path);
        if (bytes.Length < 18 || !bytes[^6..].SequenceEqual(Magic))
            throw Corrupt(path, "it is truncated (the closing ARROW1 marker is missing)");
        int footerLength = BitConverter.ToInt32(bytes[^10..^6]);
        if (footerLength <= 0 || footerLength > bytes.Length - 18)
            throw Corrupt(path, $"its footer length {footerLength} does not fit the file");
    }

    private static int ReadVersion(IReadOnlyDictionary<string, string> schemaMetadata, RecordBatch batch)
    {
        if (schemaMetadata.TryGetValue(ClusterSchema.SchemaVersionKey, out var v) && int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int version))
            return version;
        // No version recorded (e.g. the seed's own writer): version 2 if the tasks carry started_at.
        return batch.Schema.GetFieldByName(ClusterSchema.Names.Tasks)?.DataType is Apache.Arrow.Types.ListType { ValueDataType: Apache.Arrow.Types.StructType t }
               && t.GetFieldIndex(ClusterSchema.Names.StartedAt, StringComparer.Ordinal) >= 0 ? 2 : 1;
    }

    private static string? ReadScalarString(RecordBatch batch, string name) =>
        Scalar(batch, name) is StringArray s && !s.IsNull(0) ? SafeStrings.Get(s, 0) : null;

    /// <summary>A one-value top-level column, validated (O(1)); null when absent or not one value.</summary>
    private static IArrowArray? Scalar(RecordBatch batch, string name)
    {
        var array = ColumnBinding.Column(batch, name);
        if (array is null || array.Length != 1) return null;
        ArrayValidation.Validate(array, 1, name);
        return array;
    }

    private static ClusterStateException Corrupt(string path, string why, Exception? inner = null) =>
        new(ErrorIds.SnapshotCorrupt, ClusterStateErrorKind.InvalidData, $"The snapshot '{path}' is damaged: {why}.", path, inner);
}
