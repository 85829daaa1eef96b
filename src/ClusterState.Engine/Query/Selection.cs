using System;
using System.Buffers;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading.Tasks;

using ClusterState.Schema;

namespace ClusterState.Query;

/// <summary>
/// Row selections built column at a time: each filter narrows the rows kept by the previous
/// one, so later filters only touch the rows still in play. <c>null</c> means every row.
/// </summary>
internal static class Selection
{
    /// <summary>Every row, in the state's order (base rows and a commit log's, see EntityColumns.Rows).</summary>
    public static int[] All(EntityColumns c) => c.Rows.ToArray();

    public static int[] Where(int[]? rows, EntityColumns c, Func<int, bool> keep)
    {
        var kept = new List<int>();
        if (rows is null)
        {
            foreach (int i in c.Rows) if (keep(i)) kept.Add(i);
        }
        else
        {
            foreach (int i in rows) if (keep(i)) kept.Add(i);
        }
        return kept.ToArray();
    }

    /// <summary>
    /// Rows whose string equals one of <paramref name="set"/> (ASCII case-insensitive), scanned on
    /// the raw offsets and bytes: the length decides first, then values of up to eight bytes are
    /// compared as one 64-bit word (with ASCII case folded) and only a word match is confirmed
    /// byte by byte. No string is made and nothing is allocated per row.
    /// </summary>
    public static int[] WhereEquals(int[]? rows, EntityColumns c, StringColumn column, Utf8ValueSet set)
    {
        if (!column.IsPresent) return Array.Empty<int>();
        bool Matches(int i) => !column.IsNull(i) && set.Matches(column.GetBytes(i));
        if (rows is not null) return Where(rows, c, Matches);
        // Every row: the base's raw buffers are scanned, then the rows a commit log changed are
        // checked one by one and put in their places (EntityColumns.Combine).
        var baseRows = ScanBase(c.BaseCount, column, set);
        if (c.Merge is null) return baseRows;
        if (column.Delta is not { } delta) return c.Combine(baseRows, Matches);
        // The log rows live in their records. A record of a few rows is checked row by row over its
        // raw buffers: a pooled raw scan's set-up per record, and each row read through the column's
        // checks, cost more than the rows (a failed-status scan of 20,000 tasks and a log of 1,000
        // ten-task commits: 686 µs, then 327). A larger record is scanned like the base, once.
        var logRows = delta.Rows;
        var matches = new bool[logRows.Length];
        bool[]?[]? scanned = null;
        int last = -1;
        bool byRow = false, nulls = false;
        StringColumn part = default;
        ReadOnlySpan<int> offsets = default;
        ReadOnlySpan<byte> values = default;
        int b = 0;
        for (int d = 0; d < logRows.Length; d++)
        {
            var (p, r) = logRows[d];
            if (p != last)
            {
                // Looked up again only when the record changes (delta rows that replace base rows come
                // in base order, so records interleave; no array per record is allocated for that).
                last = p;
                part = delta.Part(p, out int count);
                byRow = count <= RowByRow && part.TryGetBuffers(out offsets, out values, out b);
                nulls = byRow && part.HasNulls;
                if (!byRow && part.IsPresent && (scanned ??= new bool[]?[delta.PartCount])[p] is null)
                {
                    var m = scanned[p] = new bool[count];
                    foreach (int row in ScanBase(count, part, set)) m[row] = true;
                }
            }
            matches[d] = byRow ? RawMatches(set, offsets, values, b + r) && !(nulls && part.IsNull(r))
                : scanned?[p] is { } found && found[r];
        }
        return c.Combine(baseRows, matches);
    }

    /// <summary>
    /// Whether value <paramref name="index"/> of a string column's raw buffers equals one of the set:
    /// a set of short words (at most eight ASCII bytes) with one compare of a word.
    /// </summary>
    private static bool RawMatches(Utf8ValueSet set, ReadOnlySpan<int> offsets, ReadOnlySpan<byte> values, int index)
    {
        int start = offsets[index], length = offsets[index + 1] - start;
        return set.Words is { } words ? length <= 8 && words.Matches(values, start, length) : set.Matches(values.Slice(start, length));
    }

    /// <summary>Up to how many rows a log record's column is checked row by row rather than scanned raw.</summary>
    private const int RowByRow = 64;

    /// <summary>Base rows [0, count) equal to one of the set, ascending, from the raw offsets and bytes.</summary>
    private static int[] ScanBase(int count, StringColumn column, Utf8ValueSet set)
    {
        column.TryGetBuffers(out var offsets, out var values, out int b);
        bool nulls = column.HasNulls;
        var kept = ArrayPool<int>.Shared.Rent(Math.Max(count, 1));
        int n = 0;
        try
        {
            var words = set.Words;
            if (words is not null)
            {
                // The common case: short ASCII values (statuses, types, roles).
                n = ScanWords(words, column, count, kept);
                if (nulls) n = DropNulls(kept, n, column);
            }
            else
            {
                for (int i = 0; i < count; i++)
                {
                    if (RawMatches(set, offsets, values, b + i) && !(nulls && column.IsNull(i))) kept[n++] = i;
                }
            }
            return kept.AsSpan(0, n).ToArray();
        }
        finally
        {
            ArrayPool<int>.Shared.Return(kept);
        }
    }

    /// <summary>Rows from which a scan is split across the cores (below it one core is faster).</summary>
    private const int ParallelRows = 1 << 18;

    /// <summary>
    /// A word scan over all rows; large columns are split into one contiguous part per core, each
    /// writing its matches into its own part of <paramref name="kept"/>, then packed together.
    /// </summary>
    private static int ScanWords(Utf8ValueSet.ShortWords words, StringColumn column, int count, int[] kept)
    {
        column.TryGetMemory(out var offsetBytes, out var values, out int b);
        int parts = Math.Min(Environment.ProcessorCount, 8);
        if (!words.Exact || count < ParallelRows || parts < 2)
            return words.Scan(MemoryMarshal.Cast<byte, int>(offsetBytes.Span).Slice(b, count + 1), values.Span, kept);
        var found = new int[parts];
        Parallel.For(0, parts, p =>
        {
            int from = (int)((long)count * p / parts), to = (int)((long)count * (p + 1) / parts);
            var offsets = MemoryMarshal.Cast<byte, int>(offsetBytes.Span).Slice(b + from, to - from + 1);
            found[p] = words.ScanWords(offsets, values.Span, kept.AsSpan(from, to - from), from);
        });
        int n = found[0];
        for (int p = 1; p < parts; p++)
        {
            int from = (int)((long)count * p / parts);
            Array.Copy(kept, from, kept, n, found[p]);
            n += found[p];
        }
        return n;
    }

    private static int DropNulls(int[] rows, int n, StringColumn column)
    {
        int m = 0;
        for (int k = 0; k < n; k++)
        {
            if (!column.IsNull(rows[k])) rows[m++] = rows[k];
        }
        return m;
    }

    /// <summary>Rows whose id matches <paramref name="pattern"/>; records which literal ids were seen.</summary>
    public static int[] WhereId(int[]? rows, EntityColumns c, StringColumn column, IdPattern pattern, ISet<string> seenLiterals)
    {
        var kept = Where(rows, c, i => !column.IsNull(i) && pattern.Matches(column.GetBytes(i)));
        if (pattern.Literals.Count > 0)
        {
            foreach (int i in kept) seenLiterals.Add(column.Get(i)!);
        }
        return kept;
    }
}
