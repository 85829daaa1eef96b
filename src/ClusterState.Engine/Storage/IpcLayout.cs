using System;
using System.Buffers.Binary;

namespace ClusterState.Storage;

/// <summary>
/// Reads the little of the Arrow IPC framing the engine must check before handing bytes to
/// Apache.Arrow, through bounds-checked spans (flatbuffers: a table starts with the offset back to
/// its vtable; the vtable lists the offset of each field, 0 when absent).
/// </summary>
internal static class IpcLayout
{
    private const byte SchemaHeader = 1; // MessageHeader.Schema in Message.fbs
    private const int MaxDepth = 64;

    /// <summary>True when the first message of an IPC stream body is a Schema message; false also when it does not parse.</summary>
    public static bool StartsWithSchema(ReadOnlySpan<byte> body) =>
        TryFirstMessage(body, out var message, out int table) && Field(message, table, 1) is int at and > 0 && message[at] == SchemaHeader;

    /// <summary>
    /// False when a vector of the leading Schema message (fields, children, key/value metadata) or
    /// of the record batch after it (field nodes, buffers) claims more entries than its message
    /// has bytes for. Apache.Arrow sizes its lists by those counts before reading them, so one
    /// damaged count made it allocate gigabytes and then fail. True when the body does not start
    /// with a schema (nothing to check here).
    /// </summary>
    public static bool VectorsFit(ReadOnlySpan<byte> body)
    {
        if (!StartsWithSchema(body)) return true;
        try
        {
            TryFirstMessage(body, out var message, out int table);
            int schema = Reference(message, table, 2) ?? -1; // Message.header
            if (schema < 0) return false;
            int budget = message.Length; // every table visited occupies bytes: a cycle of offsets runs out of budget
            if (!Fields(message, schema, field: 1, depth: 0, ref budget) || !KeyValues(message, schema, field: 2)) return false;
            // The record batch follows the schema message (which has no body).
            int next = checked(MessageEnd(body));
            if (next == body.Length) return true; // a commit log without records yet
            return BatchVectorsFit(body[next..]);
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException or OverflowException)
        {
            return false;
        }
    }

    /// <summary>The same bounds for a record-batch message alone (a record read after its log's schema was checked).</summary>
    public static bool BatchVectorsFit(ReadOnlySpan<byte> body)
    {
        try
        {
            if (!TryFirstMessage(body, out var batchMessage, out int batchTable)) return false;
            if (Reference(batchMessage, batchTable, 2) is not int batch) return true;
            // RecordBatch: 1 nodes (FieldNode, 16 bytes), 2 buffers (Buffer, 16 bytes), 4 variadicBufferCounts (long).
            _ = Vector(batchMessage, batch, 1, 16);
            _ = Vector(batchMessage, batch, 2, 16);
            _ = Vector(batchMessage, batch, 4, 8);
            return true;
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException or OverflowException)
        {
            return false;
        }
    }

    /// <summary>MessageHeader.RecordBatch in Message.fbs.</summary>
    public const byte RecordBatchHeader = 3;

    /// <summary>
    /// Reads the framing of the encapsulated message at the start of <paramref name="bytes"/>
    /// (continuation, metadata length, the Message table and, for a record batch, its vectors),
    /// checking that everything it claims lies within <paramref name="bytes"/>. False for a
    /// message that is cut short (a torn append) or does not parse (damage): the commit log stops
    /// reading there. Only the framing this module writes is accepted: the continuation marker
    /// and 8-byte aligned lengths.
    /// </summary>
    public static bool TryReadMessage(ReadOnlySpan<byte> bytes, out IpcMessage message)
    {
        message = default;
        try
        {
            if (bytes.Length < 8 || BinaryPrimitives.ReadInt32LittleEndian(bytes) != -1) return false;
            int metadataLength = BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]);
            if (metadataLength <= 0 || metadataLength % 8 != 0 || metadataLength > bytes.Length - 8) return false;
            var meta = bytes.Slice(8, metadataLength);
            int table = Follow(meta, 0);
            byte type = Field(meta, table, 1) is int t ? meta[t] : (byte)0;
            long body = Field(meta, table, 3) is int b ? BinaryPrimitives.ReadInt64LittleEndian(meta[b..]) : 0;
            if (body < 0 || body % 8 != 0 || body > bytes.Length - 8L - metadataLength) return false;
            long rows = 0, lastOffset = -1, lastLength = 0;
            if (type == RecordBatchHeader)
            {
                if (Reference(meta, table, 2) is not int batch) return false;
                rows = Field(meta, batch, 0) is int r ? BinaryPrimitives.ReadInt64LittleEndian(meta[r..]) : 0;
                _ = Vector(meta, batch, 1, 16);
                if (Vector(meta, batch, 2, 16) is (int start, int count) && count > 0)
                {
                    int last = start + 16 * (count - 1);
                    lastOffset = BinaryPrimitives.ReadInt64LittleEndian(meta[last..]);
                    lastLength = BinaryPrimitives.ReadInt64LittleEndian(meta[(last + 8)..]);
                    if (lastOffset < 0 || lastLength < 0 || lastOffset > body - lastLength) return false;
                }
            }
            message = new IpcMessage(checked(8 + metadataLength + (int)body), 8 + metadataLength, type, rows, lastOffset, lastLength);
            return true;
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException or OverflowException)
        {
            return false;
        }
    }

    /// <summary>
    /// Where the field nodes and buffers of a record-batch message lie (positions in
    /// <paramref name="bytes"/>, counts checked to fit), its row count and body: what
    /// <see cref="RecordBatchLoader"/> builds the batch from. False for anything else, including a
    /// compressed body (Apache.Arrow's reader reads those).
    /// </summary>
    public static bool TryReadBatchLayout(ReadOnlySpan<byte> bytes, out IpcBatchLayout layout)
    {
        layout = default;
        if (!TryReadMessage(bytes, out var framing) || framing.HeaderType != RecordBatchHeader) return false;
        try
        {
            var meta = bytes.Slice(8, framing.BodyStart - 8);
            int table = Follow(meta, 0);
            if (Reference(meta, table, 2) is not int batch) return false;
            if (Field(meta, batch, 3) is not null) return false; // RecordBatch.compression
            if (Vector(meta, batch, 4, 8) is (_, > 0)) return false; // variadicBufferCounts: view types
            if (Vector(meta, batch, 1, 16) is not (int nodes, int nodeCount) || Vector(meta, batch, 2, 16) is not (int buffers, int bufferCount)) return false;
            layout = new IpcBatchLayout(framing.Rows, 8 + nodes, nodeCount, 8 + buffers, bufferCount, framing.BodyStart, framing.Length - framing.BodyStart);
            return true;
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException or OverflowException)
        {
            return false;
        }
    }

    private static bool Fields(ReadOnlySpan<byte> message, int table, int field, int depth, ref int budget)
    {
        if (depth > MaxDepth || (budget -= 8) < 0) return false;
        if (Vector(message, table, field, 4) is not (int start, int count)) return true;
        for (int i = 0; i < count; i++)
        {
            int child = Follow(message, start + 4 * i);
            // Field: 5 children, 6 custom_metadata.
            if (!Fields(message, child, field: 5, depth + 1, ref budget) || !KeyValues(message, child, field: 6)) return false;
        }
        return true;
    }

    private static bool KeyValues(ReadOnlySpan<byte> message, int table, int field)
    {
        _ = Vector(message, table, field, 4); // throws when the count does not fit
        return true;
    }

    /// <summary>The start and count of a vector field, checked to lie in the message; null when absent.</summary>
    private static (int Start, int Count)? Vector(ReadOnlySpan<byte> message, int table, int field, int elementSize)
    {
        if (Reference(message, table, field) is not int vector) return null;
        int count = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(message[vector..]));
        if (count < 0 || (long)count * elementSize > message.Length - vector - 4) throw new ArgumentOutOfRangeException(nameof(message), "A vector is longer than its message.");
        return (vector + 4, count);
    }

    /// <summary>Where the first message of <paramref name="body"/> (framing and metadata; a schema has no body) ends.</summary>
    private static int MessageEnd(ReadOnlySpan<byte> body)
    {
        int start = BinaryPrimitives.ReadInt32LittleEndian(body) == -1 ? 8 : 4;
        return checked(start + BinaryPrimitives.ReadInt32LittleEndian(body[(start - 4)..]));
    }

    private static bool TryFirstMessage(ReadOnlySpan<byte> body, out ReadOnlySpan<byte> message, out int table)
    {
        message = default;
        table = 0;
        try
        {
            // An encapsulated message: 0xFFFFFFFF continuation and a length (or, before format 0.15, the length alone).
            int start = BinaryPrimitives.ReadInt32LittleEndian(body) == -1 ? 8 : 4;
            int length = BinaryPrimitives.ReadInt32LittleEndian(body[(start - 4)..]);
            message = body.Slice(start, length);
            table = Follow(message, 0);
            _ = Field(message, table, 0);
            return true;
        }
        catch (Exception e) when (e is ArgumentOutOfRangeException or IndexOutOfRangeException or OverflowException)
        {
            return false;
        }
    }

    /// <summary>The position of a field's value in the message, or null when the field is absent.</summary>
    private static int? Field(ReadOnlySpan<byte> message, int table, int field)
    {
        int vtable = checked(table - BinaryPrimitives.ReadInt32LittleEndian(message[table..]));
        int vtableSize = BinaryPrimitives.ReadUInt16LittleEndian(message[vtable..]);
        int entry = 4 + 2 * field;
        if (entry + 2 > vtableSize) return null;
        int at = BinaryPrimitives.ReadUInt16LittleEndian(message[(vtable + entry)..]);
        return at == 0 ? null : checked(table + at);
    }

    /// <summary>The target of an offset field (a table, vector or string), or null when absent.</summary>
    private static int? Reference(ReadOnlySpan<byte> message, int table, int field) =>
        Field(message, table, field) is int at ? Follow(message, at) : null;

    private static int Follow(ReadOnlySpan<byte> message, int at)
    {
        int target = checked(at + (int)BinaryPrimitives.ReadUInt32LittleEndian(message[at..]));
        if (target < 0 || target >= message.Length) throw new ArgumentOutOfRangeException(nameof(at), "An offset points outside its message.");
        return target;
    }
}
