using System;
using System.Buffers.Binary;
using System.Linq;
using Apache.Arrow;
using Apache.Arrow.Types;
using ClusterState.Schema;

namespace ClusterState.Storage;

/// <summary>
/// Builds a log record's batch straight from its IPC message: the arrays over slices of the
/// message's body, laid out by the log's schema, and an entity list the record leaves empty taken
/// from one built before. Every process reads every other writer's records; with eight writers
/// Apache.Arrow's stream reader was a quarter of all their CPU, most of it building the arrays of
/// the two entity lists a one-row commit leaves empty (a one-row content record: some 60 fields).
/// Only the layouts of the types a log of this module holds are read here (fixed-width values,
/// booleans, strings and binaries, lists, maps and structs, uncompressed); for anything else
/// <see cref="TryLoad"/> says no and the caller reads the message with Apache.Arrow. Nothing
/// here trusts the message beyond its bounds: buffers must lie inside the body and counts inside
/// 32 bits, and every array is then validated as a decoded one is (CommitRecord.Read).
/// </summary>
internal sealed class RecordBatchLoader
{
    private readonly Apache.Arrow.Schema _schema;
    private readonly Plan[] _fields;
    private readonly int _nodeCount;
    private readonly int _bufferCount;

    /// <summary>Per top-level field, the one empty list shared by the records that leave that entity empty (built on first use).</summary>
    private readonly IArrowArray?[] _empty;

    /// <summary>Which top-level fields are entity lists (nodes, tasks, content).</summary>
    private readonly bool[] _entity;

    private RecordBatchLoader(Apache.Arrow.Schema schema, Plan[] fields, int nodeCount, int bufferCount)
    {
        _schema = schema;
        _fields = fields;
        _nodeCount = nodeCount;
        _bufferCount = bufferCount;
        _empty = new IArrowArray?[fields.Length];
        _entity = schema.FieldsList.Select(f => f.DataType is ListType && CommitRecord.EntityNames.Contains(f.Name)).ToArray();
    }

    /// <summary>The loader of records of <paramref name="schema"/>; null when a field has a type whose layout is not read here.</summary>
    public static RecordBatchLoader? For(Apache.Arrow.Schema schema)
    {
        int node = 0, buffer = 0;
        var fields = new Plan[schema.FieldsList.Count];
        for (int i = 0; i < fields.Length; i++)
        {
            if (Compile(schema.FieldsList[i].DataType, ref node, ref buffer, depth: 0) is not { } plan) return null;
            fields[i] = plan;
        }
        return new RecordBatchLoader(schema, fields, node, buffer);
    }

    /// <summary>
    /// The batch of <paramref name="message"/> (a whole record-batch message of this schema, which
    /// the batch's buffers then point into: the caller keeps it unchanged); null when its layout is
    /// not one this loader reads or does not match the schema (Apache.Arrow reads it then, and
    /// reports what is wrong).
    /// </summary>
    public RecordBatch? TryLoad(ReadOnlyMemory<byte> message)
    {
        var bytes = message.Span;
        if (!IpcLayout.TryReadBatchLayout(bytes, out var layout)) return null;
        if (layout.NodeCount != _nodeCount || layout.BufferCount != _bufferCount || layout.Rows is < 0 or > int.MaxValue) return null;
        var reading = new Reading(message, layout);
        var arrays = new IArrowArray[_fields.Length];
        for (int i = 0; i < _fields.Length; i++)
        {
            var plan = _fields[i];
            if (_entity[i] && IsEmptyList(bytes, layout, plan))
            {
                // Every record that leaves this entity empty reads the same: one array serves them
                // all, validated once (CommitRecord.Read skips it, IsShared).
                if (_empty[i] is null && reading.Build(plan) is { } empty && Valid(ArrowArrayFactory.BuildArray(empty), _schema.FieldsList[i].Name) is { } valid)
                    _empty[i] = valid;
                if (_empty[i] is not { } shared) return null;
                arrays[i] = shared;
                continue;
            }
            if (reading.Build(plan) is not { } data) return null;
            arrays[i] = ArrowArrayFactory.BuildArray(data);
        }
        return new RecordBatch(_schema, arrays, (int)layout.Rows);
    }

    /// <summary>Whether <paramref name="array"/> is one of the empty entity lists this loader shares (validated when it was made).</summary>
    public bool IsShared(IArrowArray array) => System.Array.IndexOf(_empty, array) >= 0;

    private static IArrowArray? Valid(IArrowArray array, string column)
    {
        try
        {
            ArrayValidation.Validate(array, 1, column, forRewrite: true);
            return array;
        }
        catch (ClusterStateException)
        {
            return null; // Apache.Arrow reads the record then, and CommitRecord.Read reports the damage
        }
    }

    /// <summary>A one-row list without nulls whose offsets are [0, 0] and whose items are none.</summary>
    private static bool IsEmptyList(ReadOnlySpan<byte> bytes, IpcBatchLayout layout, Plan list)
    {
        var (length, nulls) = Node(bytes, layout, list.Node);
        var (itemCount, _) = Node(bytes, layout, list.Children[0].Node);
        if (length != 1 || nulls != 0 || itemCount != 0) return false;
        var (offset, size) = Buffer(bytes, layout, list.Buffer + 1);
        return size >= 8 && offset >= 0 && offset <= layout.BodyLength - 8
            && BinaryPrimitives.ReadInt64LittleEndian(bytes.Slice(layout.Body + (int)offset, 8)) == 0;
    }

    private static (long Length, long Nulls) Node(ReadOnlySpan<byte> bytes, IpcBatchLayout layout, int index)
    {
        var at = bytes[(layout.Nodes + 16 * index)..];
        return (BinaryPrimitives.ReadInt64LittleEndian(at), BinaryPrimitives.ReadInt64LittleEndian(at[8..]));
    }

    private static (long Offset, long Length) Buffer(ReadOnlySpan<byte> bytes, IpcBatchLayout layout, int index)
    {
        var at = bytes[(layout.Buffers + 16 * index)..];
        return (BinaryPrimitives.ReadInt64LittleEndian(at), BinaryPrimitives.ReadInt64LittleEndian(at[8..]));
    }

    /// <summary>
    /// A field's place in the message: its node (pre-order over the schema) and first buffer, and
    /// how many buffers its type has (IPC format: validity first; then values, or offsets, or
    /// offsets and values; structs only validity).
    /// </summary>
    private sealed record Plan(IArrowType Type, int Node, int Buffer, int BufferCount, Plan[] Children);

    private static Plan? Compile(IArrowType type, ref int node, ref int buffer, int depth)
    {
        if (depth > 64) return null;
        int at = node++, first = buffer;
        switch (type)
        {
            case BooleanType:
            case FixedWidthType { BitWidth: > 0 } fixedWidth when fixedWidth.BitWidth % 8 == 0 && type is not DictionaryType:
                buffer += 2;
                return new Plan(type, at, first, 2, System.Array.Empty<Plan>());
            case StringType or BinaryType:
                buffer += 3;
                return new Plan(type, at, first, 3, System.Array.Empty<Plan>());
            case ListType or MapType:
            {
                buffer += 2;
                var itemType = type is ListType list ? list.ValueDataType : ((MapType)type).Fields[0].DataType;
                return Compile(itemType, ref node, ref buffer, depth + 1) is { } item ? new Plan(type, at, first, 2, new[] { item }) : null;
            }
            case StructType st:
            {
                buffer += 1;
                var children = new Plan[st.Fields.Count];
                for (int f = 0; f < children.Length; f++)
                {
                    if (Compile(st.Fields[f].DataType, ref node, ref buffer, depth + 1) is not { } child) return null;
                    children[f] = child;
                }
                return new Plan(type, at, first, 1, children);
            }
            default:
                return null; // dictionaries, views, unions, large and fixed-size lists: Apache.Arrow's reader
        }
    }

    /// <summary>One message being read: its nodes and buffers turned into array data.</summary>
    private readonly struct Reading(ReadOnlyMemory<byte> message, IpcBatchLayout layout)
    {
        public ArrayData? Build(Plan plan)
        {
            var bytes = message.Span;
            var (length, nulls) = Node(bytes, layout, plan.Node);
            if (length is < 0 or > int.MaxValue || nulls < 0 || nulls > length) return null;
            var buffers = new ArrowBuffer[plan.BufferCount];
            for (int b = 0; b < buffers.Length; b++)
            {
                var (offset, size) = Buffer(bytes, layout, plan.Buffer + b);
                if (offset < 0 || size < 0 || offset > layout.BodyLength - size) return null;
                buffers[b] = size == 0 ? ArrowBuffer.Empty : new ArrowBuffer(message.Slice(layout.Body + (int)offset, (int)size));
            }
            var children = new ArrayData[plan.Children.Length];
            for (int c = 0; c < children.Length; c++)
            {
                if (Build(plan.Children[c]) is not { } child) return null;
                children[c] = child;
            }
            return new ArrayData(plan.Type, (int)length, (int)nulls, 0, buffers, children);
        }
    }
}
