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
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (byte b in data) crc = BitOperations.Crc32C(crc, b);
        return crc;
    }
}
