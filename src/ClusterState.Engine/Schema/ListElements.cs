using System;

namespace ClusterState.Schema;

/// <summary>The elements of one row of a <c>list&lt;string&gt;</c> column, as UTF-8 bytes (nothing decoded).</summary>
internal readonly ref struct ListElements(ReadOnlySpan<int> offsets, ReadOnlySpan<byte> values, int start, int count)
{
    private readonly ReadOnlySpan<int> _offsets = offsets;
    private readonly ReadOnlySpan<byte> _values = values;

    /// <summary>Elements in the row's list.</summary>
    public int Count { get; } = count;

    /// <summary>The bytes of element <paramref name="k"/> (0 ≤ k &lt; Count).</summary>
    public ReadOnlySpan<byte> this[int k]
    {
        get
        {
            if ((uint)k >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(k));
            int i = start + k;
            return _values.Slice(_offsets[i], _offsets[i + 1] - _offsets[i]);
        }
    }
}
