using System;
using System.Buffers;
using Apache.Arrow.Memory;

namespace ClusterState.Schema;

/// <summary>
/// The allocator of the Arrow buffers the engine builds and decodes (log records as they are read,
/// the rows a commit writes): plain managed arrays. Apache.Arrow's default allocator takes native
/// memory, gives each buffer a finalizer and reports every allocation with GC.AddMemoryPressure,
/// which makes the runtime collect all generations again and again: a fresh open of a 1,000-record
/// log ran a full (gen2) collection every 2.5 opens, and commits paid for them while compacting.
/// A managed array is collected like any object the buffer's array outlives.
/// </summary>
internal sealed class ManagedMemoryAllocator : MemoryAllocator
{
    public static readonly ManagedMemoryAllocator Instance = new();

    private ManagedMemoryAllocator()
        : base(DefaultAlignment)
    {
    }

    protected override IMemoryOwner<byte> AllocateInternal(int length, out int bytesAllocated)
    {
        bytesAllocated = length;
        return new Owner(new byte[length]); // zeroed, as Arrow's builders and readers expect
    }

    /// <summary>Nothing to release: the array goes with the last buffer that refers to it.</summary>
    private sealed class Owner(byte[] array) : IMemoryOwner<byte>
    {
        public Memory<byte> Memory { get; } = array;

        public void Dispose()
        {
        }
    }
}
