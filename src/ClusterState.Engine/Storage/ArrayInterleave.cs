using System;
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
/// <remarks>
/// The plan is cut once into runs — consecutive rows of one source — and every column, at every
/// level of nesting, is built run by run: a run of a list is one run of its elements, a run of a
/// struct one run of each child. A fold takes a few long runs of the base between the log's rows,
/// a delta a few long runs of the delta before it, so their cost is their bytes and their runs,
/// not a step per row and column.
/// </remarks>
internal static class ArrayInterleave
{
    public readonly record struct Take(int Source, int Row)
    {
        public static readonly Take Null = new(-1, 0);
    }

    /// <summary>Rows <c>Row .. Row + Length - 1</c> of source <c>Source</c> (nulls when the source is -1), in one piece.</summary>
    private readonly record struct Run(int Source, int Row, int Length);

    public static IArrowArray Build(IArrowType type, IReadOnlyList<IArrowArray?> sources, ReadOnlySpan<Take> plan)
    {
        var runs = Runs(plan);
        // Only the sources the plan takes rows from: a merged view's sources are the base and every
        // record of its log (thousands), and every nested column walks its list of sources.
        var slots = new Dictionary<int, int>();
        var used = new List<ArrayData?>();
        for (int r = 0; r < runs.Length; r++)
        {
            var run = runs[r];
            if (run.Source < 0) continue;
            if (!slots.TryGetValue(run.Source, out int slot))
            {
                slot = used.Count;
                used.Add(sources[run.Source]?.Data);
                slots.Add(run.Source, slot);
            }
            runs[r] = run with { Source = slot };
        }
        return ArrowArrayFactory.BuildArray(BuildData(type, used.ToArray(), runs, plan.Length));
    }

    /// <summary>The plan as runs of consecutive rows of one source (or of nulls).</summary>
    private static Run[] Runs(ReadOnlySpan<Take> plan)
    {
        var runs = new List<Run>();
        for (int i = 0; i < plan.Length;)
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
            runs.Add(new Run(first.Source < 0 ? -1 : first.Source, first.Source < 0 ? 0 : first.Row, j - i));
            i = j;
        }
        return runs.ToArray();
    }

    private static ArrayData BuildData(IArrowType type, ArrayData?[] sources, Run[] runs, int n)
    {
        var (validity, nulls) = Validity(sources, runs, n);
        switch (type)
        {
            case BooleanType:
            {
                var bits = new byte[(n + 7) / 8];
                int at = 0;
                foreach (var run in runs)
                {
                    if (run.Source >= 0)
                    {
                        var d = sources[run.Source]!;
                        CopyBits(d.Buffers[1].Span, d.Offset + run.Row, bits, at, run.Length);
                    }
                    at += run.Length;
                }
                return new ArrayData(type, n, nulls, 0, new[] { validity, new ArrowBuffer(bits) });
            }
            case StringType or BinaryType:
            {
                var offsets = new int[n + 1];
                long total = Offsets(sources, runs, offsets, type);
                var bytes = new byte[total];
                int at = 0;
                foreach (var run in runs)
                {
                    if (run.Source >= 0)
                    {
                        var d = sources[run.Source]!;
                        var o = Offsets(d);
                        int start = o[d.Offset + run.Row];
                        // A run of consecutive rows is one stretch of value bytes.
                        d.Buffers[2].Span.Slice(start, o[d.Offset + run.Row + run.Length] - start).CopyTo(bytes.AsSpan(offsets[at]));
                    }
                    at += run.Length;
                }
                return new ArrayData(type, n, nulls, 0, new[] { validity, IntBuffer(offsets), new ArrowBuffer(bytes) });
            }
            case ListType or MapType:
            {
                var childType = type is ListType list ? list.ValueDataType : ((MapType)type).Fields[0].DataType; // a map is a list of key/value structs
                var offsets = new int[n + 1];
                long total = Offsets(sources, runs, offsets, type);
                // The elements of a run of lists are one run of the child array.
                var childRuns = new List<Run>(runs.Length);
                foreach (var run in runs)
                {
                    if (run.Source < 0) continue;
                    var d = sources[run.Source]!;
                    var o = Offsets(d);
                    int first = o[d.Offset + run.Row], length = o[d.Offset + run.Row + run.Length] - first;
                    if (length > 0) childRuns.Add(new Run(run.Source, first, length));
                }
                var child = BuildData(childType, Children(sources, 0), childRuns.ToArray(), (int)total);
                return new ArrayData(type, n, nulls, 0, new[] { validity, IntBuffer(offsets) }, new[] { child });
            }
            case StructType st:
            {
                // Struct children are not sliced by the struct's offset: child row = offset + row.
                var shifted = new Run[runs.Length];
                for (int r = 0; r < runs.Length; r++)
                {
                    var run = runs[r];
                    shifted[r] = run.Source < 0 ? run : run with { Row = sources[run.Source]!.Offset + run.Row };
                }
                var children = new ArrayData[st.Fields.Count];
                for (int f = 0; f < st.Fields.Count; f++) children[f] = BuildData(st.Fields[f].DataType, Children(sources, f), shifted, n);
                return new ArrayData(type, n, nulls, 0, new[] { validity }, children);
            }
            case FixedWidthType fixedWidth when fixedWidth.BitWidth % 8 == 0:
            {
                int width = fixedWidth.BitWidth / 8;
                var values = new byte[(long)n * width];
                int at = 0;
                foreach (var run in runs)
                {
                    if (run.Source >= 0)
                    {
                        var d = sources[run.Source]!;
                        d.Buffers[1].Span.Slice((d.Offset + run.Row) * width, run.Length * width).CopyTo(values.AsSpan(at * width));
                    }
                    at += run.Length;
                }
                return new ArrayData(type, n, nulls, 0, new[] { validity, new ArrowBuffer(values) });
            }
            default:
                throw new ClusterStateException(ErrorIds.SchemaMismatch, ClusterStateErrorKind.InvalidData,
                    $"A field of type {type.Name} cannot be carried over by this version of ClusterState.", type.Name);
        }
    }

    /// <summary>
    /// Fills <paramref name="offsets"/> (n + 1 entries) for the runs of a variable-size type: each
    /// run's source offsets moved by one constant. Returns the values the offsets span.
    /// </summary>
    private static long Offsets(ArrayData?[] sources, Run[] runs, int[] offsets, IArrowType type)
    {
        long total = 0;
        int at = 0;
        foreach (var run in runs)
        {
            if (run.Source >= 0)
            {
                var d = sources[run.Source]!;
                var o = Offsets(d).Slice(d.Offset + run.Row, run.Length + 1);
                if (total + (o[run.Length] - o[0]) > int.MaxValue) throw TooLarge(type);
                int shift = (int)total - o[0];
                var target = offsets.AsSpan(at + 1, run.Length);
                for (int r = 0; r < run.Length; r++) target[r] = o[r + 1] + shift;
                total += o[run.Length] - o[0];
            }
            else
            {
                offsets.AsSpan(at + 1, run.Length).Fill((int)total);
            }
            at += run.Length;
        }
        return total;
    }

    private static ArrayData?[] Children(ArrayData?[] sources, int index)
    {
        var children = new ArrayData?[sources.Length];
        for (int s = 0; s < sources.Length; s++) children[s] = sources[s]?.Children[index];
        return children;
    }

    private static (ArrowBuffer Buffer, int Nulls) Validity(ArrayData?[] sources, Run[] runs, int n)
    {
        int nulls = 0, at = 0;
        var bits = new byte[(n + 7) / 8];
        foreach (var run in runs)
        {
            if (run.Source < 0)
            {
                nulls += run.Length;
            }
            else if (sources[run.Source]! is var d && (d.NullCount == 0 || d.Buffers[0].IsEmpty))
            {
                SetBits(bits, at, run.Length);
            }
            else
            {
                nulls += run.Length - CopyBits(d.Buffers[0].Span, d.Offset + run.Row, bits, at, run.Length);
            }
            at += run.Length;
        }
        return nulls == 0 ? (ArrowBuffer.Empty, 0) : (new ArrowBuffer(bits), nulls);
    }

    /// <summary>Sets bits [<paramref name="from"/>, from + count) of <paramref name="bits"/>: whole bytes at once between the edges.</summary>
    private static void SetBits(Span<byte> bits, int from, int count)
    {
        int i = from, end = from + count;
        for (; i < end && (i & 7) != 0; i++) bits[i >> 3] |= (byte)(1 << (i & 7));
        int wholeBytes = (end - i) >> 3;
        if (wholeBytes > 0)
        {
            bits.Slice(i >> 3, wholeBytes).Fill(0xFF);
            i += wholeBytes << 3;
        }
        for (; i < end; i++) bits[i >> 3] |= (byte)(1 << (i & 7));
    }

    /// <summary>Copies <paramref name="count"/> bits from <paramref name="source"/> at <paramref name="from"/> to <paramref name="target"/> at <paramref name="to"/> (target bits start cleared); returns how many were set.</summary>
    private static int CopyBits(ReadOnlySpan<byte> source, int from, Span<byte> target, int to, int count)
    {
        int set = 0;
        if ((from & 7) == 0 && (to & 7) == 0)
        {
            // Byte-aligned on both sides (a fold's runs of the base often are): whole bytes copied.
            int whole = count >> 3;
            source.Slice(from >> 3, whole).CopyTo(target.Slice(to >> 3, whole));
            for (int b = 0; b < whole; b++) set += System.Numerics.BitOperations.PopCount(source[(from >> 3) + b]);
            from += whole << 3;
            to += whole << 3;
            count -= whole << 3;
        }
        for (int r = 0; r < count; r++)
        {
            if ((source[(from + r) >> 3] & (1 << ((from + r) & 7))) == 0) continue;
            target[(to + r) >> 3] |= (byte)(1 << ((to + r) & 7));
            set++;
        }
        return set;
    }

    private static ReadOnlySpan<int> Offsets(ArrayData d) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(d.Buffers[1].Span);

    private static ArrowBuffer IntBuffer(int[] values)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("Arrow buffers are little-endian.");
        return new ArrowBuffer(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
    }

    private static ClusterStateException TooLarge(IArrowType type) =>
        new(ErrorIds.InvalidArgument, ClusterStateErrorKind.InvalidArgument,
            $"A {type.Name} column would exceed 2 GiB; one snapshot is limited to 2 GiB per column.", type.Name);
}
