using System.Collections.Generic;
using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Types;
using Names = ClusterState.ClusterSchema.Names;

namespace ClusterState.Engine.Tests;

/// <summary>
/// ClusterSchema as it was written by hand before the field tables (issue 14), frozen here so
/// that the schema the tables build can be compared with it, field by field, for every version.
/// </summary>
internal static class LegacySchema
{
    public static readonly TimestampType Timestamp = new(TimeUnit.Millisecond, (string?)null);

    public static StructType NodeType { get; } = new(new[]
    {
        Field(Names.Id, StringType.Default),
        Field(Names.Role, StringType.Default),
        Field(Names.Status, StringType.Default),
        Field(Names.Peers, StringList()),
        Field(Names.Capabilities, StringList()),
        Field(Names.Resources, new StructType(new[]
        {
            Field(Names.CpuCount, Int32Type.Default),
            Field(Names.CpuLoad, FloatType.Default),
            Field(Names.GpuCount, Int32Type.Default),
            Field(Names.GpuAvailable, BooleanType.Default),
            Field(Names.MemoryTotal, Int64Type.Default),
            Field(Names.MemoryAvailable, Int64Type.Default),
            Field(Names.DiskTotal, Int64Type.Default),
            Field(Names.DiskAvailable, Int64Type.Default),
        })),
    });

    public static StructType TaskResourcesType { get; } = new(new[]
    {
        Field(Names.CpuCores, Int32Type.Default),
        Field(Names.GpuCores, Int32Type.Default),
        Field(Names.MemoryMb, Int32Type.Default),
    });

    public static StructType ContentType { get; } = new(new[]
    {
        Field(Names.Cid, StringType.Default),
        Field(Names.Size, Int64Type.Default),
        Field(Names.CreatedAt, Timestamp),
        Field(Names.Providers, StringList()),
        Field(Names.Pinned, BooleanType.Default),
        Field(Names.Replication, Int32Type.Default),
    });

    public static StructType TaskType(int version)
    {
        var fields = new List<Field>
        {
            Field(Names.Id, StringType.Default),
            Field(Names.Type, StringType.Default),
            Field(Names.Status, StringType.Default),
            Field(Names.CreatedAt, Timestamp),
            Field(Names.UpdatedAt, Timestamp),
            Field(Names.AssignedTo, StringType.Default),
            Field(Names.Resources, TaskResourcesType),
            Field(Names.InputCid, StringType.Default),
            Field(Names.OutputCid, StringType.Default),
            Field(Names.InputCids, StringList()),
            Field(Names.OutputCids, StringList()),
        };
        if (version >= 2)
        {
            fields.Add(Field(Names.StartedAt, Timestamp));
            fields.Add(Field(Names.CompletedAt, Timestamp));
        }
        return new StructType(fields);
    }

    public static Apache.Arrow.Schema Build(int version, long generation)
    {
        var metadata = new Dictionary<string, string>
        {
            [ClusterSchema.SchemaVersionKey] = version.ToString(CultureInfo.InvariantCulture),
            [ClusterSchema.GenerationKey] = generation.ToString(CultureInfo.InvariantCulture),
            [ClusterSchema.WriterKey] = "ClusterState " + typeof(ClusterSchema).Assembly.GetName().Version?.ToString(3),
        };
        return new Apache.Arrow.Schema(new[]
        {
            Field(Names.ClusterId, StringType.Default),
            Field(Names.MasterId, StringType.Default),
            Field(Names.UpdatedAt, Timestamp),
            Field(Names.Nodes, new ListType(Field("item", NodeType))),
            Field(Names.Tasks, new ListType(Field("item", TaskType(version)))),
            Field(Names.Content, new ListType(Field("item", ContentType))),
        }, metadata);
    }

    private static ListType StringList() => new(Field("item", StringType.Default));

    private static Field Field(string name, IArrowType type) => new(name, type, nullable: true, metadata: null);
}
