using System;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace ClusterState.Schema;

/// <summary>
/// Checks that an array read from an untrusted file is consistent before anything indexes it:
/// the validity bitmap and value buffers cover offset + length, every offsets buffer (strings,
/// binaries, lists, maps) holds length + 1 entries that start at 0 or more, never decrease and
/// end inside the data buffer or child array, and struct and list children are as long as their
/// parent needs. Apache.Arrow C# checks none of this when it loads a batch, and its accessors then
/// fail with raw ArgumentOutOfRange/IndexOutOfRange/Overflow exceptions, or — worse — a commit
/// copying rows with an offset of 0x7fffffff allocates gigabytes. Cost: one pass over the
/// offsets of the array and its children, no allocation.
/// </summary>
internal static class ArrayValidation
{
    /// <summary>
    /// Validates <paramref name="array"/> (and, when <paramref name="children"/>, everything nested
    /// in it); <paramref name="required"/> is how many values its parent needs it to hold. With
    /// <paramref name="forRewrite"/> every offsets buffer must also start at 0: other offsets are
    /// legal Arrow, but no IPC writer produces them, and Apache.Arrow C# 23's writer writes such a
    /// list back damaged (it cuts the values to [first, last) and keeps the offsets), so a commit
    /// must not carry one over.
    /// </summary>
    /// <exception cref="ClusterStateException">SnapshotCorrupt naming <paramref name="column"/>.</exception>
    public static void Validate(IArrowArray array, int required, string column, bool children = true, bool forRewrite = false) =>
        Check(array.Data, required, column, children, forRewrite);

    private static void Check(ArrayData data, int required, string column, bool children, bool forRewrite)
    {
        int length = data.Length, offset = data.Offset;
        if (length < 0 || offset < 0 || (long)offset + length > int.MaxValue)
            throw Corrupt(column, $"its length {length} at offset {offset} is impossible");
        if (length < required)
            throw Corrupt(column, $"it holds {length} values where {required} are needed");
        int end = offset + length;
        var buffers = data.Buffers ?? System.Array.Empty<ArrowBuffer>();
        // An empty validity bitmap means "no nulls" to Arrow C#; a present one must cover every value.
        if (buffers.Length > 0 && !buffers[0].IsEmpty && buffers[0].Length < BitmapBytes(end))
            throw Corrupt(column, $"its validity bitmap has {buffers[0].Length} bytes for {end} values");

        switch (data.DataType)
        {
            case StringType or BinaryType:
                CheckOffsets(data, buffers, end, limit: BufferLength(buffers, 2), column, forRewrite);
                break;
            case ListType or MapType:
                {
                    var child = Child(data, column);
                    int last = CheckOffsets(data, buffers, end, limit: child.Length, column, forRewrite);
                    if (children) Check(child, last, column, children, forRewrite);
                    break;
                }
            case FixedSizeListType fixedList:
                {
                    var child = Child(data, column);
                    long needed = (long)end * fixedList.ListSize;
                    if (needed > child.Length) throw Corrupt(column, $"its values hold {child.Length} items where {needed} are needed");
                    if (children) Check(child, (int)needed, column, children, forRewrite);
                    break;
                }
            case StructType structType:
                if (data.Children is null || data.Children.Length != structType.Fields.Count)
                    throw Corrupt(column, "its children do not match its fields");
                for (int i = 0; i < data.Children.Length; i++)
                {
                    string name = column + "." + structType.Fields[i].Name;
                    // Struct children are not sliced with their parent: each must reach the parent's end.
                    if (children) Check(data.Children[i], end, name, children, forRewrite);
                    else if (data.Children[i].Length < end) throw Corrupt(name, $"it holds {data.Children[i].Length} values where {end} are needed");
                }
                break;
            case FixedWidthType fixedWidth:
                {
                    long bytes = ((long)end * fixedWidth.BitWidth + 7) / 8;
                    if (BufferLength(buffers, 1) < bytes)
                        throw Corrupt(column, $"its values buffer has {BufferLength(buffers, 1)} bytes where {bytes} are needed");
                    break;
                }
            default:
                // Layouts the engine never reads (a newer writer's extra column of another type):
                // carried over as they are, so only the common checks above apply.
                break;
        }
    }

    /// <summary>Checks the 32-bit offsets of values [offset, end) and returns the last one.</summary>
    private static int CheckOffsets(ArrayData data, ArrowBuffer[] buffers, int end, int limit, string column, bool forRewrite)
    {
        if (data.Length == 0 && BufferLength(buffers, 1) == 0) return 0; // an empty array may omit its offsets
        long needed = ((long)end + 1) * sizeof(int);
        if (BufferLength(buffers, 1) < needed)
            throw Corrupt(column, $"its offsets buffer has {BufferLength(buffers, 1)} bytes where {needed} are needed");
        var offsets = MemoryMarshal.Cast<byte, int>(buffers[1].Span).Slice(data.Offset, data.Length + 1);
        int previous = offsets[0];
        if (previous < 0) throw Corrupt(column, $"its first offset is {previous}");
        if (forRewrite && data.Offset == 0 && previous != 0)
            throw Corrupt(column, $"its offsets start at {previous}, not 0, which no Arrow IPC writer produces and this module cannot write back");
        for (int i = 1; i < offsets.Length; i++)
        {
            int current = offsets[i];
            if (current < previous)
                throw Corrupt(column, $"its offsets decrease at value {data.Offset + i - 1} ({previous} then {current})");
            previous = current;
        }
        if (previous > limit) throw Corrupt(column, $"its last offset {previous} points past its {limit} values");
        return previous;
    }

    private static ArrayData Child(ArrayData data, string column) =>
        data.Children is { Length: 1 } c ? c[0] : throw Corrupt(column, "its list values are missing");

    private static int BufferLength(ArrowBuffer[] buffers, int index) => index < buffers.Length ? buffers[index].Length : 0;

    private static long BitmapBytes(int values) => ((long)values + 7) / 8;

    /// <summary>The SnapshotCorrupt error for damage in <paramref name="column"/>.</summary>
    public static ClusterStateException Corrupt(string column, string why, Exception? inner = null) =>
        new(ErrorIds.SnapshotCorrupt, ClusterStateErrorKind.InvalidData, $"The snapshot is damaged: the column '{column}' is inconsistent ({why}).", column, inner);
}
