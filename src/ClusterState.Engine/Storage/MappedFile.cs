using System;
using System.Buffers;
using System.IO;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Threading;

namespace ClusterState.Storage;

/// <summary>
/// A read-only memory mapping of a whole file exposed as <see cref="MemoryManager{T}"/>, so
/// Arrow buffers can be slices of the page cache instead of copies. Reference-counted:
/// the creator holds one reference; the mapping is unmapped when the last one is released,
/// or by the finalizer when nothing references the manager any more (Arrow buffers hold it
/// through their <see cref="Memory{T}"/>, so a live array always keeps its mapping).
/// After release every access throws <see cref="ObjectDisposedException"/>; nothing reads
/// unmapped memory through this type.
/// </summary>
internal sealed unsafe class MappedFile : MemoryManager<byte>
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private byte* _pointer;
    private int _references = 1;
    private int _unmapped;

    private MappedFile(string path, MemoryMappedFile file, MemoryMappedViewAccessor view, int length)
    {
        Path = path;
        _file = file;
        _view = view;
        Length = length;
        byte* basePointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref basePointer);
        _pointer = basePointer + _view.PointerOffset;
    }

    // Cmdlets dispose snapshots explicitly; the finalizer only reclaims mappings of snapshots
    // handed to a script (Get-ClusterState) and dropped without Dispose. Every span comes from an
    // Arrow buffer whose Memory references this manager, so a manager still in use is reachable.
#pragma warning disable CA2015
    ~MappedFile() => Unmap();
#pragma warning restore CA2015

    /// <summary>The mapped file.</summary>
    public string Path { get; }

    /// <summary>Length of the file in bytes.</summary>
    public int Length { get; }

    /// <summary>True once the mapping has been released.</summary>
    public bool IsReleased => Volatile.Read(ref _references) <= 0;

    /// <summary>Maps <paramref name="path"/> read-only. The file must be non-empty and under 2 GiB.</summary>
    public static MappedFile Open(string path)
    {
        // FileShare.ReadWrite|Delete: writers replace snapshots by rename and a collector may
        // delete old ones while we still read them.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        long length = stream.Length;
        if (length == 0)
            throw new ClusterStateException(ErrorIds.SnapshotCorrupt, ClusterStateErrorKind.InvalidData,
                $"The snapshot file '{path}' is empty.", path);
        if (length > int.MaxValue)
            throw new ClusterStateException(ErrorIds.SnapshotCorrupt, ClusterStateErrorKind.InvalidData,
                $"The snapshot file '{path}' is {length} bytes; one snapshot is limited to 2 GiB.", path);
        var file = MemoryMappedFile.CreateFromFile(stream, mapName: null, capacity: 0, MemoryMappedFileAccess.Read,
            HandleInheritability.None, leaveOpen: false);
        try
        {
            var view = file.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            return new MappedFile(path, file, view, (int)length);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Takes another reference; pair it with <see cref="Release"/>.</summary>
    public void AddReference()
    {
        int current;
        do
        {
            current = Volatile.Read(ref _references);
            if (current <= 0) throw new ObjectDisposedException(nameof(MappedFile), $"The mapping of '{Path}' was released.");
        }
        while (Interlocked.CompareExchange(ref _references, current + 1, current) != current);
    }

    /// <summary>Drops one reference; the last one unmaps the file.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            Unmap();
#pragma warning disable CA1816 // the reference count, not IDisposable, ends this object's life
            GC.SuppressFinalize(this);
#pragma warning restore CA1816
        }
    }

    /// <inheritdoc />
    public override Span<byte> GetSpan()
    {
        // The pointer is read once and checked: a release on another thread between a check of
        // the count and the read must end in ObjectDisposedException, not a span over address 0.
        byte* pointer = _pointer;
        if (pointer == null || IsReleased) throw new ObjectDisposedException(nameof(MappedFile), $"The mapping of '{Path}' was released.");
        return new Span<byte>(pointer, Length);
    }

    /// <inheritdoc />
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        if ((uint)elementIndex > (uint)Length) throw new ArgumentOutOfRangeException(nameof(elementIndex));
        ObjectDisposedException.ThrowIf(IsReleased, this);
        return new MemoryHandle(_pointer + elementIndex);
    }

    /// <inheritdoc />
    public override void Unpin()
    {
    }

    /// <summary>Whether <paramref name="memory"/> lies inside this mapping.</summary>
    public bool Contains(ReadOnlyMemory<byte> memory) =>
        MemoryMarshal.TryGetMemoryManager(memory, out MappedFile? owner) && ReferenceEquals(owner, this);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        // Lifetime is governed by the reference count, not by IDisposable on the manager.
    }

    private void Unmap()
    {
        if (Interlocked.Exchange(ref _unmapped, 1) != 0) return;
        _references = 0;
        _pointer = null;
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
