using System;
using System.Collections.Generic;

using ClusterState.Schema;

namespace ClusterState.Query;

/// <summary>
/// Row selections built column at a time: each filter narrows the rows kept by the previous
/// one, so later filters only touch the rows still in play. <c>null</c> means every row.
/// </summary>
internal static class Selection
{
    public static int[] All(int count)
    {
        var rows = new int[count];
        for (int i = 0; i < rows.Length; i++) rows[i] = i;
        return rows;
    }

    public static int[] Where(int[]? rows, int count, Func<int, bool> keep)
    {
        var kept = new List<int>();
        if (rows is null)
        {
            for (int i = 0; i < count; i++) if (keep(i)) kept.Add(i);
        }
        else
        {
            foreach (int i in rows) if (keep(i)) kept.Add(i);
        }
        return kept.ToArray();
    }

    /// <summary>Rows whose string equals one of <paramref name="set"/>, scanned on the raw offsets and bytes.</summary>
    public static int[] WhereEquals(int[]? rows, int count, StringColumn column, Utf8ValueSet set)
    {
        if (!column.TryGetBuffers(out var offsets, out var values, out int b)) return Array.Empty<int>();
        var kept = new List<int>();
        if (rows is null)
        {
            for (int i = 0; i < count; i++)
            {
                int s = offsets[b + i];
                if (set.Matches(values.Slice(s, offsets[b + i + 1] - s)) && !(column.HasNulls && column.IsNull(i))) kept.Add(i);
            }
        }
        else
        {
            foreach (int i in rows)
            {
                int s = offsets[b + i];
                if (set.Matches(values.Slice(s, offsets[b + i + 1] - s)) && !(column.HasNulls && column.IsNull(i))) kept.Add(i);
            }
        }
        return kept.ToArray();
    }

    /// <summary>Rows whose id matches <paramref name="pattern"/>; records which literal ids were seen.</summary>
    public static int[] WhereId(int[]? rows, int count, StringColumn column, IdPattern pattern, ISet<string> seenLiterals)
    {
        var kept = Where(rows, count, i => !column.IsNull(i) && pattern.Matches(column.GetBytes(i)));
        if (pattern.Literals.Count > 0)
        {
            foreach (int i in kept) seenLiterals.Add(column.Get(i)!);
        }
        return kept;
    }
}
