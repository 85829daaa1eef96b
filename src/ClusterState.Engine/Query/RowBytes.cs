using System;
using System.Collections.Generic;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace ClusterState.Query;

/// <summary>
/// How many bytes of Arrow buffers the rows of an entity take, so streamed chunks can be cut by
/// size: a gRPC client receives 4 MiB per message by default, and a tasks chunk of 16,384 rows
/// is about 7 MB. Fixed-width fields cost the same for every row and are summed once; only
/// strings and lists are read per row (their offsets), so sizing a million rows costs a few
/// milliseconds. Damaged offsets only make an estimate wrong, never a read go astray: every
/// offset is read through bounds-checked spans and negative sizes count as zero.
/// </summary>
internal sealed class RowBytes
{
    private readonly int _fixedPerRow;
    private readonly List<Func<int, long>> _variable = new();

    public RowBytes(StructArray items)
    {
        foreach (var field in items.Fields) AddField(field.Data, 0, ref _fixedPerRow);
    }

    /// <summary>The bytes of row <paramref name="row"/> of the entity's field arrays (<c>items.Fields[k]</c>).</summary>
    public long Of(int row)
    {
        long bytes = _fixedPerRow;
        foreach (var variable in _variable) bytes += variable(row);
        return bytes;
    }

    /// <summary>
    /// Cuts <paramref name="total"/> rows (row <c>i</c> is <paramref name="rowAt"/>(i)) into
    /// consecutive chunks of at most <paramref name="maxRows"/> rows and, unless one row alone is
    /// larger, at most <paramref name="maxBytes"/> bytes. Yields (first, count) pairs.
    /// </summary>
    public IEnumerable<(int First, int Count)> Chunks(int total, Func<int, int> rowAt, int maxRows, long maxBytes) =>
        Chunks(total, i => Of(rowAt(i)), maxRows, maxBytes);

    /// <summary>The same cut, with the bytes of row <c>i</c> given by <paramref name="sizeAt"/>(i) (rows from more than one array).</summary>
    public static IEnumerable<(int First, int Count)> Chunks(int total, Func<int, long> sizeAt, int maxRows, long maxBytes)
    {
        int first = 0;
        while (first < total)
        {
            int count = 0;
            long bytes = 0;
            while (first + count < total && count < maxRows)
            {
                long next = sizeAt(first + count);
                if (count > 0 && bytes + next > maxBytes) break;
                bytes += next;
                count++;
            }
            yield return (first, count);
            first += count;
        }
    }

    // Registers the cost of one field; its row of entity row r is r + shift (a nested struct's
    // children are indexed through the struct's own offset).
    private void AddField(ArrayData field, int shift, ref int fixedPerRow)
    {
        fixedPerRow += 1; // validity bit, rounded up
        switch (field.DataType)
        {
            case StructType:
                foreach (var child in field.Children ?? System.Array.Empty<ArrayData>()) AddField(child, shift + field.Offset, ref fixedPerRow);
                break;
            case StringType or BinaryType:
                fixedPerRow += 4;
                _variable.Add(row => Span(field, row + shift));
                break;
            case ListType list:
                fixedPerRow += 4;
                _variable.Add(row => ListBytes(field, list, row + shift));
                break;
            case FixedWidthType fixedWidth:
                fixedPerRow += Math.Max(1, fixedWidth.BitWidth / 8);
                break;
            default:
                fixedPerRow += 8; // a type this module does not write: a fair guess
                break;
        }
    }

    /// <summary>Bytes between a row's two offsets (a string's length, or a list's element count).</summary>
    private static long Span(ArrayData data, int row)
    {
        var offsets = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span);
        int i = data.Offset + row;
        return (uint)(i + 1) < (uint)offsets.Length ? Math.Max(0, (long)offsets[i + 1] - offsets[i]) : 0;
    }

    private static long ListBytes(ArrayData data, ListType type, int row)
    {
        var offsets = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span);
        int i = data.Offset + row;
        if ((uint)(i + 1) >= (uint)offsets.Length) return 0;
        int start = offsets[i], end = offsets[i + 1];
        if (end <= start) return 0;
        long elements = end - start;
        var values = data.Children[0];
        if (type.ValueDataType is not (StringType or BinaryType)) return elements * 8;
        // Elements' own bytes: the values' offsets at the list's two ends.
        var valueOffsets = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(values.Buffers[1].Span);
        int a = values.Offset + start, b = values.Offset + end;
        long strings = (uint)b < (uint)valueOffsets.Length && a >= 0 ? Math.Max(0, (long)valueOffsets[b] - valueOffsets[a]) : 0;
        return elements * 5 + strings;
    }
}
