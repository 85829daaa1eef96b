using System.Collections.Generic;
using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace ClusterState;

/// <summary>
/// The seed schema of shared/SPEC.md §1 and its versions. Version 1 is the seed exactly;
/// version 2 adds <c>tasks.started_at</c> and <c>tasks.completed_at</c>.
/// </summary>
public static class ClusterSchema
{
    /// <summary>The version new states are written in.</summary>
    public const int CurrentVersion = 2;

    /// <summary>The oldest version this module reads.</summary>
    public const int OldestReadableVersion = 1;

    /// <summary>Schema-level metadata key holding the schema version.</summary>
    public const string SchemaVersionKey = "schema_version";

    /// <summary>Schema-level metadata key holding the commit generation.</summary>
    public const string GenerationKey = "generation";

    /// <summary>
    /// Schema-level (and state_metadata.json) key a future writer sets when older readers must not
    /// read its snapshots; a reader whose <see cref="CurrentVersion"/> is lower refuses the state.
    /// </summary>
    public const string MinReaderVersionKey = "min_reader_version";

    /// <summary>Schema-level metadata key naming the program that wrote the snapshot.</summary>
    public const string WriterKey = "writer";

    /// <summary>Millisecond timestamps without a time zone, as the seed's <c>pa.timestamp('ms')</c>.</summary>
    public static readonly TimestampType Timestamp = Schema.FieldCodecs.TimestampMs;

    // The struct types are made from the field tables (Schema/NodeFields, TaskFields, ContentFields),
    // looked up on each use (each table caches its types) so a table in force for a test is followed.

    /// <summary>The struct type of one node.</summary>
    public static StructType NodeType => Schema.NodeFields.Table.TypeOf(CurrentVersion);

    /// <summary>The struct type of a task's resource requirements.</summary>
    public static StructType TaskResourcesType => Schema.TaskFields.Resources.TypeOf(CurrentVersion);

    /// <summary>The struct type of one content item.</summary>
    public static StructType ContentType => Schema.ContentFields.Table.TypeOf(CurrentVersion);

    /// <summary>The struct type of one task in the given schema version.</summary>
    public static StructType TaskType(int version) => Schema.TaskFields.Table.TypeOf(version);

    /// <summary>The whole one-row schema of a version, with version and generation metadata.</summary>
    public static Apache.Arrow.Schema Build(int version, long generation)
    {
        var metadata = new Dictionary<string, string>
        {
            [SchemaVersionKey] = version.ToString(CultureInfo.InvariantCulture),
            [GenerationKey] = generation.ToString(CultureInfo.InvariantCulture),
            [WriterKey] = "ClusterState " + typeof(ClusterSchema).Assembly.GetName().Version?.ToString(3),
        };
        return new Apache.Arrow.Schema(new[]
        {
            Field(Names.ClusterId, StringType.Default),
            Field(Names.MasterId, StringType.Default),
            Field(Names.UpdatedAt, Timestamp),
            Field(Names.Nodes, new ListType(Field("item", Schema.NodeFields.Table.TypeOf(version)))),
            Field(Names.Tasks, new ListType(Field("item", TaskType(version)))),
            Field(Names.Content, new ListType(Field("item", Schema.ContentFields.Table.TypeOf(version)))),
        }, metadata);
    }

    /// <summary>A schema with <paramref name="generation"/> in its key/value metadata (the rest kept).</summary>
    internal static Apache.Arrow.Schema WithGeneration(Apache.Arrow.Schema schema, long generation)
    {
        var metadata = new Dictionary<string, string>(schema.Metadata ?? new Dictionary<string, string>())
        {
            [GenerationKey] = generation.ToString(CultureInfo.InvariantCulture),
        };
        return new Apache.Arrow.Schema(schema.FieldsList, metadata);
    }

    /// <summary>Schema-level key of a commit log: the generation of the base its records follow.</summary>
    public const string BaseGenerationKey = "base_generation";

    /// <summary>Schema-level key of a commit log: the layout of its records (<see cref="LogFormat"/>).</summary>
    public const string LogFormatKey = "log_format";

    /// <summary>The record layout this module writes and reads (docs/FORMAT.md, "The commit log").</summary>
    public const string LogFormat = "1";

    /// <summary>
    /// The schema of a commit log's records (DESIGN.md §5): the base snapshot's own columns — each
    /// entity list holding the complete new version of every row a commit added or changed, in
    /// the base's types, so fields a newer writer added travel too — then the generation the
    /// record makes, the ids it removed, the base-row hints and the record's checksum (the last
    /// column, so its 8 bytes are the last buffer of the message).
    /// </summary>
    public static Apache.Arrow.Schema BuildLog(Apache.Arrow.Schema baseSchema, long baseGeneration)
    {
        var metadata = new Dictionary<string, string>(baseSchema.Metadata ?? new Dictionary<string, string>());
        metadata.Remove(GenerationKey);
        metadata[BaseGenerationKey] = baseGeneration.ToString(CultureInfo.InvariantCulture);
        metadata[LogFormatKey] = LogFormat;
        var idList = new ListType(Field("item", StringType.Default));
        var fields = new List<Field>(baseSchema.FieldsList)
        {
            new(Names.Generation, Int64Type.Default, nullable: false),
            Field(Names.RemovedNodes, idList),
            Field(Names.RemovedTasks, idList),
            Field(Names.RemovedContent, idList),
            Field(Names.BaseRows, new ListType(Field("item", Int32Type.Default))),
            new(Names.Checksum, Int64Type.Default, nullable: false),
        };
        return new Apache.Arrow.Schema(fields, metadata);
    }

    private static Field Field(string name, IArrowType type) => new(name, type, nullable: true, metadata: null);

    /// <summary>Column and field names of the seed schema.</summary>
    public static class Names
    {
#pragma warning disable CS1591 // the names document themselves
        public const string ClusterId = "cluster_id";
        public const string MasterId = "master_id";
        public const string UpdatedAt = "updated_at";
        public const string Nodes = "nodes";
        public const string Tasks = "tasks";
        public const string Content = "content";
        public const string Id = "id";
        public const string Role = "role";
        public const string Status = "status";
        public const string Peers = "peers";
        public const string Capabilities = "capabilities";
        public const string Resources = "resources";
        public const string CpuCount = "cpu_count";
        public const string CpuLoad = "cpu_load";
        public const string GpuCount = "gpu_count";
        public const string GpuAvailable = "gpu_available";
        public const string MemoryTotal = "memory_total";
        public const string MemoryAvailable = "memory_available";
        public const string DiskTotal = "disk_total";
        public const string DiskAvailable = "disk_available";
        public const string Type = "type";
        public const string CreatedAt = "created_at";
        public const string StartedAt = "started_at";
        public const string CompletedAt = "completed_at";
        public const string AssignedTo = "assigned_to";
        public const string CpuCores = "cpu_cores";
        public const string GpuCores = "gpu_cores";
        public const string MemoryMb = "memory_mb";
        public const string InputCid = "input_cid";
        public const string OutputCid = "output_cid";
        public const string InputCids = "input_cids";
        public const string OutputCids = "output_cids";
        public const string Cid = "cid";
        public const string Size = "size";
        public const string Providers = "providers";
        public const string Pinned = "pinned";
        public const string Replication = "replication";
        public const string Generation = "generation";
        public const string RemovedNodes = "removed_nodes";
        public const string RemovedTasks = "removed_tasks";
        public const string RemovedContent = "removed_content";
        public const string BaseRows = "base_rows";
        public const string Checksum = "checksum";
#pragma warning restore CS1591
    }
}
