using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace ClusterState.Storage;

/// <summary>
/// Builds a new Arrow array whose rows are taken from several source arrays of the same type:
/// output row i is row <c>Plan[i].Row</c> of source <c>Plan[i].Source</c>, or null when the
/// source is -1. Values are copied as bytes (fixed-width values, UTF-8 strings, list elements,
/// struct children recursively); nothing is decoded, so fields this module does not know are
/// carried over exactly like the ones it does.
/// </summary>
internal static class ArrayInterleave
{
    public readonly record struct Take(int Source, int Row)
    {
        public static readonly Take Null = new(-1, 0);
    }

    public static IArrowArray Build(IArrowType type, IReadOnlyList<IArrowArray?> sources, ReadOnlySpan<Take> plan)
    {
        var data = new ArrayData?[sources.Count];
        for (int s = 0; s < sources.Count; s++) data[s] = sources[s]?.Data;
        return ArrowArrayFactory.BuildArray(BuildData(type, data, plan));
    }

    private static ArrayData BuildData(IArrowType type, ArrayData?[] sources, ReadOnlySpan<Take> plan)
    {
        int n = plan.Length;
        var (validity, nulls) = Validity(sources, plan);
        switch (type)
        {
            case BooleanType:
            {
                var bits = new byte[(n + 7) / 8];
                for (int i = 0; i < n; i++)
                {
                    var t = plan[i];
                    if (t.Source < 0) continue;
                    var d = sources[t.Source]!;
                    if (GetBit(d.Buffers[1].Span, d.Offset + t.Row)) bits[i >> 3] |= (byte)(1 << (i & 7));
                }
                return new ArrayData(type, n, nulls, 0, new[] { validity, new ArrowBuffer(bits) });
            }
            case StringType or BinaryType:
            {
                var offsets = new int[n + 1];
                long total = 0;
                for (int i = 0; i < n; i++)
                {
                    var t = plan[i];
                    if (t.Source >= 0)
                    {
                        var d = sources[t.Source]!;
                        var o = Offsets(d);
                        total += o[d.Offset + t.Row + 1] - o[d.Offset + t.Row];
                    }
                    if (total > int.MaxValue) throw TooLarge(type);
                    offsets[i + 1] = (int)total;
                }
                var bytes = new byte[total];
                for (int i = 0; i < n; i++)
                {
                    var t = plan[i];
                    if (t.Source < 0) continue;
                    var d = sources[t.Source]!;
                    var o = Offsets(d);
                    int start = o[d.Offset + t.Row];
                    d.Buffers[2].Span.Slice(start, o[d.Offset + t.Row + 1] - start).CopyTo(bytes.AsSpan(offsets[i]));
                }
                return new ArrayData(type, n, nulls, 0, new[] { validity, IntBuffer(offsets), new ArrowBuffer(bytes) });
            }
            case ListType or MapType:
            {
                var childType = type is ListType list ? list.ValueDataType : ((MapType)type).Fields[0].DataType; // a map is a list of key/value structs
                var offsets = new int[n + 1];
                var childPlan = new List<Take>();
                for (int i = 0; i < n; i++)
                {
                    var t = plan[i];
                    if (t.Source >= 0)
                    {
                        var d = sources[t.Source]!;
                        var o = Offsets(d);
                        int start = o[d.Offset + t.Row], end = o[d.Offset + t.Row + 1];
                        for (int k = start; k < end; k++) childPlan.Add(new Take(t.Source, k));
                    }
                    offsets[i + 1] = childPlan.Count;
                }
                var children = Children(sources, 0);
                var child = BuildData(childType, children, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(childPlan));
                return new ArrayData(type, n, nulls, 0, new[] { validity, IntBuffer(offsets) }, new[] { child });
            }
            case StructType st:
            {
                // Struct children are not sliced by the struct's offset: child row = offset + row.
                var shifted = new Take[n];
                for (int i = 0; i < n; i++)
                {
                    var t = plan[i];
                    shifted[i] = t.Source < 0 ? Take.Null : new Take(t.Source, sources[t.Source]!.Offset + t.Row);
                }
                var children = new ArrayData[st.Fields.Count];
                for (int f = 0; f < st.Fields.Count; f++) children[f] = BuildData(st.Fields[f].DataType, Children(sources, f), shifted);
                return new ArrayData(type, n, nulls, 0, new[] { validity }, children);
            }
            case FixedWidthType fixedWidth when fixedWidth.BitWidth % 8 == 0:
            {
                int width = fixedWidth.BitWidth / 8;
                var values = new byte[(long)n * width];
                for (int i = 0; i < n; i++)
                {
                    var t = plan[i];
                    if (t.Source < 0) continue;
                    var d = sources[t.Source]!;
                    d.Buffers[1].Span.Slice((d.Offset + t.Row) * width, width).CopyTo(values.AsSpan(i * width));
                }
                return new ArrayData(type, n, nulls, 0, new[] { validity, new ArrowBuffer(values) });
            }
            default:
                throw new ClusterStateException(ErrorIds.SchemaMismatch, ClusterStateErrorKind.InvalidData,
                    $"A field of type {type.Name} cannot be carried over by this version of ClusterState.", type.Name);
        }
    }

    private static ArrayData?[] Children(ArrayData?[] sources, int index)
    {
        var children = new ArrayData?[sources.Length];
        for (int s = 0; s < sources.Length; s++) children[s] = sources[s]?.Children[index];
        return children;
    }

    private static (ArrowBuffer Buffer, int Nulls) Validity(ArrayData?[] sources, ReadOnlySpan<Take> plan)
    {
        int n = plan.Length, nulls = 0;
        var bits = new byte[(n + 7) / 8];
        for (int i = 0; i < n; i++)
        {
            var t = plan[i];
            bool valid = t.Source >= 0 && IsValid(sources[t.Source]!, t.Row);
            if (valid) bits[i >> 3] |= (byte)(1 << (i & 7));
            else nulls++;
        }
        return nulls == 0 ? (ArrowBuffer.Empty, 0) : (new ArrowBuffer(bits), nulls);
    }

    private static bool IsValid(ArrayData d, int row)
    {
        if (d.NullCount == 0 || d.Buffers[0].IsEmpty) return true;
        return GetBit(d.Buffers[0].Span, d.Offset + row);
    }

    private static bool GetBit(ReadOnlySpan<byte> bits, int index) => (bits[index >> 3] & (1 << (index & 7))) != 0;

    private static ReadOnlySpan<int> Offsets(ArrayData d) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(d.Buffers[1].Span);

    private static ArrowBuffer IntBuffer(int[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), values[i]);
        return new ArrowBuffer(bytes);
    }

    private static ClusterStateException TooLarge(IArrowType type) =>
        new(ErrorIds.InvalidArgument, ClusterStateErrorKind.InvalidArgument,
            $"A {type.Name} column would exceed 2 GiB; one snapshot is limited to 2 GiB per column.", type.Name);
}
