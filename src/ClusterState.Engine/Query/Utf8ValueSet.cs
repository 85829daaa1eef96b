using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace ClusterState.Query;

/// <summary>
/// A set of values compared against UTF-8 column bytes without decoding them: length first,
/// then the bytes, ASCII case-insensitively (so <c>-Status Pending</c> finds <c>pending</c>).
/// Values that are not ASCII compare ordinally ignoring case after decoding.
/// </summary>
internal sealed class Utf8ValueSet : ClusterState.Schema.IUtf8Matcher
{
    private readonly byte[][] _ascii;
    private readonly string[] _other;

    public Utf8ValueSet(IEnumerable<string> values)
    {
        var distinct = values.Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        _ascii = distinct.Where(v => Ascii.IsValid(v)).Select(v => Encoding.ASCII.GetBytes(v)).ToArray();
        _other = distinct.Where(v => !Ascii.IsValid(v)).ToArray();
    }

    public bool Matches(ReadOnlySpan<byte> candidate)
    {
        foreach (var value in _ascii)
        {
            if (value.Length == candidate.Length && Ascii.EqualsIgnoreCase(value, candidate)) return true;
        }
        if (_other.Length == 0) return false;
        string decoded = Encoding.UTF8.GetString(candidate);
        foreach (var value in _other)
        {
            if (string.Equals(value, decoded, StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }
}
