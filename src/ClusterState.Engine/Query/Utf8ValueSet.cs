using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
        if (_other.Length == 0 && _ascii.Length is > 0 and <= 8 && _ascii.All(v => v.Length is > 0 and <= 8)) Words = new ShortWords(_ascii);
    }

    /// <summary>
    /// Up to eight short ASCII values, each kept as a little-endian word with its bytes' ASCII case
    /// bit set: a candidate of the right length is loaded as one word, folded the same way, and
    /// compared; the fold can make a few non-letters collide, so a word match is confirmed exactly.
    /// </summary>
    internal sealed class ShortWords
    {
        private readonly ulong[] _words;
        private readonly int[] _lengths;
        private readonly byte[][] _values;
        private readonly bool[] _lettersOnly;
        private readonly bool _exact;
        private readonly int[] _distinctLengths;

        public ShortWords(byte[][] values)
        {
            _values = values;
            // For letters the folded word is exact (only the case bit differs); other bytes can
            // collide with control characters, so those values are confirmed byte by byte.
            _lettersOnly = values.Select(v => v.All(c => char.IsAsciiLetter((char)c))).ToArray();
            _exact = _lettersOnly.All(x => x);
            _lengths = values.Select(v => v.Length).ToArray();
            _distinctLengths = _lengths.Distinct().ToArray();
            _words = values.Select(v => FoldWord(Load(v, 0, v.Length))).ToArray();
            foreach (int length in _lengths) LengthMask |= 1 << length;
        }

        /// <summary>Bit <c>n</c> is set when some value has length <c>n</c>.</summary>
        public int LengthMask { get; }

        /// <summary>
        /// Writes the rows whose value is in the set to <paramref name="kept"/> and returns how
        /// many. <paramref name="offsets"/> are the column's count + 1 offsets into
        /// <paramref name="bytes"/>. Branch-free per row: every value's first eight bytes are
        /// loaded as one word, masked to its length, case-folded and compared with each word of
        /// the set, and the row number is written unconditionally and kept by advancing the count.
        /// </summary>
        public int Scan(ReadOnlySpan<int> offsets, ReadOnlySpan<byte> bytes, Span<int> kept) =>
            _exact ? ScanWords(offsets, bytes, kept, 0) : ScanConfirmed(offsets, bytes, kept);

        /// <summary>
        /// <see cref="Scan"/> for rows <c>[first, first + offsets.Length - 1)</c> (offsets start at that
        /// row), writing absolute row numbers; the unit of work of a parallel scan.
        /// </summary>
        public int ScanWords(ReadOnlySpan<int> offsets, ReadOnlySpan<byte> bytes, Span<int> kept, int first)
        {
            int n = 0, i = 0, start = offsets[0], last = offsets.Length - 1;
            if (kept.Length < last) throw new ArgumentException("The output is shorter than the rows scanned.", nameof(kept));
            // Rows whose eight-byte load lies inside the buffer: all but the last few (an offset
            // outside it, as in a damaged file, leaves the fast loop for the checked one below).
            int wide = bytes.Length - 8;
            ref byte data = ref MemoryMarshal.GetReference(bytes);
            ref int ends = ref Unsafe.Add(ref MemoryMarshal.GetReference(offsets), 1);
            ref ulong masks = ref MemoryMarshal.GetReference(LengthMasks);
            ref int rows = ref MemoryMarshal.GetReference(kept);
            var words = _words;
            var lengths = _lengths;
            if (Vector256.IsHardwareAccelerated)
            {
                // Eight rows at a time: their lengths come from two overlapping loads of the
                // offsets; only rows whose length is in the set are loaded and compared.
                ref int starts = ref MemoryMarshal.GetReference(offsets);
                for (; i + 8 <= last; i += 8)
                {
                    var length8 = Vector256.LoadUnsafe(ref starts, (nuint)(i + 1)) - Vector256.LoadUnsafe(ref starts, (nuint)i);
                    uint candidates = 0;
                    foreach (int length in _distinctLengths) candidates |= Vector256.Equals(length8, Vector256.Create(length)).ExtractMostSignificantBits();
                    while (candidates != 0)
                    {
                        int row = i + BitOperations.TrailingZeroCount(candidates);
                        candidates &= candidates - 1;
                        int at = Unsafe.Add(ref starts, row), length = Unsafe.Add(ref starts, row + 1) - at;
                        bool hit;
                        if ((uint)at > (uint)wide) hit = Matches(bytes, at, length);
                        else
                        {
                            ulong word = (Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref data, at)) & Unsafe.Add(ref masks, length)) | Fold;
                            hit = false;
                            for (int k = 0; k < words.Length; k++) hit |= (word == words[k]) & (length == lengths[k]);
                        }
                        Unsafe.Add(ref rows, n) = first + row;
                        n += hit ? 1 : 0;
                    }
                }
                start = offsets[i];
            }
            for (; i < last; i++)
            {
                int end = Unsafe.Add(ref ends, i);
                if ((uint)start > (uint)wide) break;
                int length = end - start;
                ulong word = (Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref data, start)) & Unsafe.Add(ref masks, (int)Math.Min((uint)length, 9u))) | Fold;
                bool hit = false;
                for (int k = 0; k < words.Length; k++) hit |= (word == words[k]) & (length == lengths[k]);
                Unsafe.Add(ref rows, n) = first + i;
                n += hit ? 1 : 0;
                start = end;
            }
            for (; i < last; i++)
            {
                int end = offsets[i + 1];
                if (Matches(bytes, start, end - start)) kept[n++] = first + i;
                start = end;
            }
            return n;
        }

        /// <summary>True when the branch-free word scan applies (every value letters only).</summary>
        public bool Exact => _exact;

        private int ScanConfirmed(ReadOnlySpan<int> offsets, ReadOnlySpan<byte> bytes, Span<int> kept)
        {
            int n = 0, start = offsets[0];
            for (int i = 0; i < offsets.Length - 1; i++)
            {
                int end = offsets[i + 1];
                int length = end - start;
                if ((uint)length <= 8 && (LengthMask & (1 << length)) != 0 && Matches(bytes, start, length)) kept[n++] = i;
                start = end;
            }
            return n;
        }

        // Keeps the first n bytes of a little-endian word; lengths over eight never match.
        private static ReadOnlySpan<ulong> LengthMasks => new ulong[]
        {
            0, 0xFF, 0xFFFF, 0xFF_FFFF, 0xFFFF_FFFF, 0xFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF, 0xFF_FFFF_FFFF_FFFF, ulong.MaxValue, 0,
        };

        private const ulong Fold = 0x2020_2020_2020_2020UL;

        public bool Matches(ReadOnlySpan<byte> bytes, int start, int length)
        {
            ulong word = FoldWord(Load(bytes, start, length));
            for (int k = 0; k < _words.Length; k++)
            {
                if (_words[k] == word && _lengths[k] == length
                    && (_lettersOnly[k] || Ascii.EqualsIgnoreCase(_values[k], bytes.Slice(start, length)))) return true;
            }
            return false;
        }

        private static ulong FoldWord(ulong word) => word | Fold;

        private static ulong Load(ReadOnlySpan<byte> bytes, int start, int length)
        {
            // A full eight-byte load when the buffer allows it, masked to the value's length.
            ulong word = start + 8 <= bytes.Length
                ? System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(bytes.Slice(start, 8))
                : Tail(bytes.Slice(start, length));
            return length == 8 ? word : word & ((1UL << (8 * length)) - 1);
        }

        private static ulong Tail(ReadOnlySpan<byte> bytes)
        {
            Span<byte> eight = stackalloc byte[8];
            eight.Clear();
            bytes.CopyTo(eight);
            return System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(eight);
        }
    }

    /// <summary>The set as 64-bit words when every value is ASCII and at most eight bytes long; else null.</summary>
    public ShortWords? Words { get; }

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
