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
                for (int i = 0, run; i < n; i += run)
                {
                    var t = plan[i];
                    run = Run(plan, i);
                    if (t.Source >= 0)
                    {
                        var d = sources[t.Source]!;
                        var o = Offsets(d).Slice(d.Offset + t.Row, run + 1);
                        for (int r = 0; r < run; r++)
                        {
                            total += o[r + 1] - o[r];
                            if (total > int.MaxValue) throw TooLarge(type);
                            offsets[i + r + 1] = (int)total;
                        }
                    }
                    else
                    {
                        for (int r = 0; r < run; r++) offsets[i + r + 1] = (int)total;
                    }
                }
                var bytes = new byte[total];
                for (int i = 0, run; i < n; i += run)
                {
                    var t = plan[i];
                    run = Run(plan, i);
                    if (t.Source < 0) continue;
                    var d = sources[t.Source]!;
                    var o = Offsets(d);
                    int start = o[d.Offset + t.Row];
                    // A run of consecutive rows is one stretch of value bytes.
                    d.Buffers[2].Span.Slice(start, o[d.Offset + t.Row + run] - start).CopyTo(bytes.AsSpan(offsets[i]));
                }
                return new ArrayData(type, n, nulls, 0, new[] { validity, IntBuffer(offsets), new ArrowBuffer(bytes) });
            }
            case ListType or MapType:
            {
                var childType = type is ListType list ? list.ValueDataType : ((MapType)type).Fields[0].DataType; // a map is a list of key/value structs
                var offsets = new int[n + 1];
                var childPlan = new List<Take>();
                for (int i = 0, run; i < n; i += run)
                {
                    var t = plan[i];
                    run = Run(plan, i);
                    if (t.Source >= 0)
                    {
                        var d = sources[t.Source]!;
                        var o = Offsets(d).Slice(d.Offset + t.Row, run + 1);
                        for (int r = 0; r < run; r++)
                        {
                            for (int k = o[r]; k < o[r + 1]; k++) childPlan.Add(new Take(t.Source, k));
                            offsets[i + r + 1] = childPlan.Count;
                        }
                    }
                    else
                    {
                        for (int r = 0; r < run; r++) offsets[i + r + 1] = childPlan.Count;
                    }
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
                for (int i = 0, run; i < n; i += run)
                {
                    var t = plan[i];
                    run = Run(plan, i);
                    if (t.Source < 0) continue;
                    var d = sources[t.Source]!;
                    d.Buffers[1].Span.Slice((d.Offset + t.Row) * width, run * width).CopyTo(values.AsSpan(i * width));
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
        for (int i = 0, run; i < n; i += run)
        {
            var t = plan[i];
            run = Run(plan, i);
            if (t.Source < 0)
            {
                nulls += run;
                continue;
            }
            var d = sources[t.Source]!;
            if (d.NullCount == 0 || d.Buffers[0].IsEmpty)
            {
                for (int r = i; r < i + run; r++) bits[r >> 3] |= (byte)(1 << (r & 7));
                continue;
            }
            var valid = d.Buffers[0].Span;
            for (int r = 0; r < run; r++)
            {
                if (GetBit(valid, d.Offset + t.Row + r)) bits[(i + r) >> 3] |= (byte)(1 << ((i + r) & 7));
                else nulls++;
            }
        }
        return nulls == 0 ? (ArrowBuffer.Empty, 0) : (new ArrowBuffer(bits), nulls);
    }

    /// <summary>
    /// How many plan entries from <paramref name="i"/> on take consecutive rows of one source (or
    /// are all null): copied as one stretch. A fold takes long runs of the base, a delta of the
    /// delta before it, so most of their bytes move in a few large copies.
    /// </summary>
    private static int Run(ReadOnlySpan<Take> plan, int i)
    {
        var first = plan[i];
        int j = i + 1;
        if (first.Source < 0)
        {
            while (j < plan.Length && plan[j].Source < 0) j++;
        }
        else
        {
            while (j < plan.Length && plan[j].Source == first.Source && plan[j].Row == first.Row + (j - i)) j++;
        }
        return j - i;
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
