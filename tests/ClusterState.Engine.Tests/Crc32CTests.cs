using System;
using ClusterState.Storage;
using Xunit;

namespace ClusterState.Engine.Tests;

/// <summary>The records' checksum: CRC-32C as other implementations compute it (FORMAT.md names it; readers in other languages check it).</summary>
public sealed class Crc32CTests
{
    [Fact]
    public void Compute_TheStandardCheckValue()
    {
        // The check value of CRC-32C (the Castagnoli polynomial) for "123456789", as RFC 3720 and every catalogue of CRCs give it.
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        Assert.Equal(0u, Crc32C.Compute(ReadOnlySpan<byte>.Empty));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(12287)]
    [InlineData(12288)]
    [InlineData(12289)]
    [InlineData(4 * 12288 + 4093)]
    [InlineData(1 << 20)]
    public void Compute_LongInputs_EqualTheBitwiseDefinition(int length)
    {
        // Long inputs run as three interleaved streams joined by shifts: each join must equal the plain definition.
        var data = new byte[length];
        new Random(length).NextBytes(data);
        Assert.Equal(Bitwise(data), Crc32C.Compute(data));
    }

    [Fact]
    public void ComputeWithHole_EqualsTheChecksumWithTheSlotZeroed()
    {
        var data = new byte[3 * 12288 + 100];
        new Random(7).NextBytes(data);
        int hole = 20000;
        var zeroed = (byte[])data.Clone();
        zeroed.AsSpan(hole, 8).Clear();
        Assert.Equal(Bitwise(zeroed), Crc32C.ComputeWithHole(data, hole));
    }

    /// <summary>CRC-32C bit by bit, straight from its definition (reflected, initial value and final XOR all ones).</summary>
    private static uint Bitwise(ReadOnlySpan<byte> data)
    {
        uint crc = uint.MaxValue;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int i = 0; i < 8; i++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
        return ~crc;
    }
}
