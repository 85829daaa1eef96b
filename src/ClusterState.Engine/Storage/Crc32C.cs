using System;
using System.Buffers.Binary;
using System.Numerics;

namespace ClusterState.Storage;

/// <summary>
/// CRC-32C (Castagnoli; the checksum of iSCSI, ext4 metadata and many logs), computed with the
/// processor's CRC32 instructions where there are some (BitOperations falls back to a table).
/// Arrow IPC carries no checksum, and a commit record must be told apart from damaged bytes.
/// </summary>
internal static class Crc32C
{
    /// <summary>The polynomial, bit-reflected (as the CRC32 instruction uses it).</summary>
    private const uint Poly = 0x82F63B78;

    /// <summary>
    /// Bytes per stream when three run side by side. One CRC32 instruction waits for the one
    /// before it (three cycles for eight bytes), so a long input was checksummed at a third of
    /// what the processor can do: opening a long log spent a tenth of its time here, on the
    /// megabytes of its summary. Three independent streams over consecutive blocks keep the
    /// instruction busy; their values are joined by shifting (multiplying by x^n mod P).
    /// </summary>
    private const int Block = 4096;

    /// <summary>x^(2^k) mod P, for shifting a value by any number of bits.</summary>
    private static readonly uint[] PowersOfTwo = BuildPowers();

    /// <summary>The shifts of a stream's value past one and two blocks.</summary>
    private static readonly uint ShiftOne = XPowerOfBytes(Block), ShiftTwo = XPowerOfBytes(2 * Block);

    /// <summary>The checksum of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(uint.MaxValue, data);

    /// <summary>
    /// The checksum of <paramref name="data"/> as if its bytes [<paramref name="hole"/>,
    /// <paramref name="hole"/> + 8) were zero: a record checksums itself with its checksum slot empty.
    /// </summary>
    public static uint ComputeWithHole(ReadOnlySpan<byte> data, int hole)
    {
        uint crc = Append(uint.MaxValue, data[..hole]);
        crc = BitOperations.Crc32C(crc, 0UL);
        return ~Append(crc, data[(hole + 8)..]);
    }

    private static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 3 * Block)
        {
            // Stream a continues the value; b and c start from zero and are joined after it.
            uint a = crc, b = 0, c = 0;
            var first = data[..Block];
            var second = data.Slice(Block, Block);
            var third = data.Slice(2 * Block, Block);
            for (int i = 0; i < Block; i += 8)
            {
                a = BitOperations.Crc32C(a, BinaryPrimitives.ReadUInt64LittleEndian(first[i..]));
                b = BitOperations.Crc32C(b, BinaryPrimitives.ReadUInt64LittleEndian(second[i..]));
                c = BitOperations.Crc32C(c, BinaryPrimitives.ReadUInt64LittleEndian(third[i..]));
            }
            crc = MultiplyModP(ShiftTwo, a) ^ MultiplyModP(ShiftOne, b) ^ c;
            data = data[(3 * Block)..];
        }
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (byte b in data) crc = BitOperations.Crc32C(crc, b);
        return crc;
    }

    /// <summary>a · b mod P in the reflected bit order of the CRC (the product of two polynomials).</summary>
    private static uint MultiplyModP(uint a, uint b)
    {
        uint m = 1u << 31, product = 0;
        while (true)
        {
            if ((a & m) != 0)
            {
                product ^= b;
                if ((a & (m - 1)) == 0) return product;
            }
            m >>= 1;
            b = (b & 1) != 0 ? (b >> 1) ^ Poly : b >> 1;
        }
    }

    /// <summary>x^(8n) mod P: what a value is multiplied by to move it past <paramref name="bytes"/> bytes of zeros.</summary>
    private static uint XPowerOfBytes(int bytes)
    {
        uint power = 1u << 31; // x^0
        int k = 3; // 8n = n · 2^3
        for (uint n = (uint)bytes; n != 0; n >>= 1, k++)
            if ((n & 1) != 0) power = MultiplyModP(PowersOfTwo[k & 31], power);
        return power;
    }

    private static uint[] BuildPowers()
    {
        var powers = new uint[32];
        powers[0] = 1u << 30; // x^1
        for (int k = 1; k < powers.Length; k++) powers[k] = MultiplyModP(powers[k - 1], powers[k - 1]);
        return powers;
    }
}
