using System;
using System.Collections.Generic;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace ClusterState.Schema;

/// <summary>
/// Turns typed rows into the one-row record batch of the current schema version. Rows are
/// appended straight into column builders, so a caller can stream millions of them without
/// holding an object graph of the whole state.
/// </summary>
internal sealed class StateBatchBuilder
{
    private readonly int _version;
    private readonly StructRows<ClusterNode> _nodes;
    private readonly StructRows<ClusterTask> _tasks;
    private readonly StructRows<ClusterContent> _content;

    // Each entity is appended by walking its field table (NodeFields, TaskFields, ContentFields):
    // one typed appender per field, made here, once per builder.
    public StateBatchBuilder(int version = ClusterSchema.CurrentVersion)
    {
        _version = version;
        _nodes = NodeFields.Table.NewRows(version);
        _tasks = TaskFields.Table.NewRows(version);
        _content = ContentFields.Table.NewRows(version);
    }

    public int NodeCount => _nodes.Count;
    public int TaskCount => _tasks.Count;
    public int ContentCount => _content.Count;

    public void Add(ClusterNode node) => _nodes.Append(node);
    public void Add(ClusterTask task) => _tasks.Append(task);
    public void Add(ClusterContent content) => _content.Append(content);

    /// <summary>The struct array of the nodes added so far (for a commit's patch rows).</summary>
    public StructArray BuildNodeItems() => _nodes.Build(NodeFields.Table.TypeOf(_version));

    /// <summary>The struct array of the tasks added so far.</summary>
    public StructArray BuildTaskItems() => _tasks.Build(TaskFields.Table.TypeOf(_version));

    /// <summary>The struct array of the content added so far.</summary>
    public StructArray BuildContentItems() => _content.Build(ContentFields.Table.TypeOf(_version));

    public RecordBatch Build(string clusterId, string masterId, DateTime updatedAt, long generation)
    {
        var schema = ClusterSchema.Build(_version, generation);
        var arrays = new IArrowArray[]
        {
            new StringArray.Builder().Append(clusterId).Build(ManagedMemoryAllocator.Instance),
            new StringArray.Builder().Append(masterId).Build(ManagedMemoryAllocator.Instance),
            new TimestampArray.Builder(ClusterSchema.Timestamp).Append(Utc(updatedAt)).Build(ManagedMemoryAllocator.Instance),
            OneRowList(schema.GetFieldByName(ClusterSchema.Names.Nodes).DataType, BuildNodeItems()),
            OneRowList(schema.GetFieldByName(ClusterSchema.Names.Tasks).DataType, BuildTaskItems()),
            OneRowList(schema.GetFieldByName(ClusterSchema.Names.Content).DataType, BuildContentItems()),
        };
        return new RecordBatch(schema, arrays, 1);
    }

    /// <summary>The list column of a one-row state batch: one list holding every item of <paramref name="items"/>.</summary>
    internal static ListArray OneRowList(IArrowType listType, IArrowArray items)
    {
        var offsets = new ArrowBuffer.Builder<int>(2).Append(0).Append(items.Length).Build(ManagedMemoryAllocator.Instance);
        return new ListArray(listType, 1, offsets, items, ArrowBuffer.Empty, 0, 0);
    }

    internal static DateTimeOffset Utc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Utc => new DateTimeOffset(value),
        DateTimeKind.Local => new DateTimeOffset(value.ToUniversalTime()),
        _ => new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc)),
    };
}
