using System;
using ClusterState.Schema;

namespace ClusterState.Storage;

/// <summary>
/// A hash index from the exact UTF-8 bytes of a string column to its first row, built in one
/// pass over the offsets and values buffers without decoding a string. Lookups take raw bytes
/// too, so joins between columns (a task's <c>assigned_to</c> to its node, a task's CIDs to
/// the content) never allocate. Built once per snapshot and shared (see SnapshotData.GetOrAdd).
/// </summary>
internal sealed class Utf8KeyIndex
{
    private readonly StringColumn _column;
    private readonly int[] _slots; // row + 1; 0 marks an empty slot
    private readonly int _mask;
    private readonly Utf8KeyIndex? _base;
    private readonly RowMerge? _merge;
    private readonly int _deltaFirst; // merged row of the merge's first log row
    private readonly int _replaced;   // how many of the log rows replace base rows

    public Utf8KeyIndex(StringColumn column, int count)
        : this(column, 0, count, null, null)
    {
    }

    /// <summary>
    /// The index of a merged view (a base and its commit log): only the log rows of ids new to
    /// the base are indexed here (rows <paramref name="first"/> + replaced .. of the merged
    /// column); every other id is found through the base's own index, shared by every generation
    /// of that base: a log row that replaces a base row holds that row's id (the merge checks it),
    /// so the base row found says where its latest version shows. Built in time proportional to
    /// the log's new ids, not to its rows: a log of ten thousand updated rows indexed them again at
    /// every generation (4 ms a commit at the large scale, in every process that commits there).
    /// </summary>
    public static Utf8KeyIndex Overlay(Utf8KeyIndex baseIndex, StringColumn mergedColumn, int first, RowMerge merge)
    {
        // The replacing rows lead the delta (base rows ascending), the new ids follow.
        int replaced = merge.DeltaBaseRows.Length;
        while (replaced > 0 && merge.DeltaBaseRows[replaced - 1] < 0) replaced--;
        return new(mergedColumn, first + replaced, merge.Delta.Length - replaced, baseIndex, merge, first, replaced);
    }

    private Utf8KeyIndex(StringColumn column, int first, int count, Utf8KeyIndex? baseIndex, RowMerge? merge, int deltaFirst = 0, int replaced = 0)
    {
        _column = column;
        _base = baseIndex;
        _merge = merge;
        _deltaFirst = deltaFirst;
        _replaced = replaced;
        int size = 16;
        while (size < count * 2) size <<= 1;
        _slots = new int[size];
        _mask = size - 1;
        for (int row = first; row < first + count; row++)
        {
            if (column.IsNull(row)) continue;
            var key = column.GetBytes(row);
            int slot = Hash(key) & _mask;
            while (true)
            {
                int existing = _slots[slot];
                if (existing == 0)
                {
                    _slots[slot] = row + 1;
                    break;
                }
                if (column.GetBytes(existing - 1).SequenceEqual(key)) break; // first occurrence wins
                slot = (slot + 1) & _mask;
            }
        }
    }

    /// <summary>The first row whose value is exactly <paramref name="key"/>, or -1.</summary>
    public int Find(ReadOnlySpan<byte> key)
    {
        int slot = Hash(key) & _mask;
        while (true)
        {
            int entry = _slots[slot];
            if (entry == 0) break;
            if (_column.GetBytes(entry - 1).SequenceEqual(key)) return entry - 1;
            slot = (slot + 1) & _mask;
        }
        if (_base is null) return -1;
        int row = _base.Find(key);
        if (row < 0 || System.Array.BinarySearch(_merge!.Masked, row) < 0) return row;
        // Hidden by the log: replaced (its latest version is a log row) or removed.
        int at = System.Array.BinarySearch(_merge.DeltaBaseRows, 0, _replaced, row);
        return at >= 0 ? _deltaFirst + at : -1;
    }

    /// <summary>The first row whose value is exactly <paramref name="key"/>, or -1.</summary>
    public int Find(string key)
    {
        int max = System.Text.Encoding.UTF8.GetMaxByteCount(key.Length);
        Span<byte> buffer = max <= 512 ? stackalloc byte[max] : new byte[max];
        int length = System.Text.Encoding.UTF8.GetBytes(key, buffer);
        return Find(buffer[..length]);
    }

    private static int Hash(ReadOnlySpan<byte> key)
    {
        var hash = new HashCode();
        hash.AddBytes(key);
        return hash.ToHashCode() & int.MaxValue;
    }
}
