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

    public Utf8KeyIndex(StringColumn column, int count)
    {
        _column = column;
        int size = 16;
        while (size < count * 2) size <<= 1;
        _slots = new int[size];
        _mask = size - 1;
        for (int row = 0; row < count; row++)
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
            if (entry == 0) return -1;
            if (_column.GetBytes(entry - 1).SequenceEqual(key)) return entry - 1;
            slot = (slot + 1) & _mask;
        }
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
