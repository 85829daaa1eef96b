using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Types;
using ClusterState.Storage;

namespace ClusterState.Engine.Tests;

/// <summary>
/// Finds the offsets buffers of a snapshot file precisely, to damage them: the snapshot is opened
/// zero-copy, so every buffer is a slice of the mapping and its index in the mapping is its
/// position in the file.
/// </summary>
internal static class SnapshotDamage
{
    /// <summary>One offsets buffer: the column (<c>tasks.input_cids</c>; element strings of a list end in <c>[]</c>), the file position of the array's first used entry, and the used entries (length + 1).</summary>
    public sealed record Offsets(string Column, int Position, int[] Values)
    {
        public int Last => Values.Length - 1;
    }

    public static List<Offsets> Find(string snapshotFile)
    {
        var found = new List<Offsets>();
        using var snapshot = ClusterSnapshot.OpenFile(snapshotFile);
        var batch = snapshot.RecordBatch;
        for (int i = 0; i < batch.ColumnCount; i++) Walk(batch.Column(i).Data, batch.Schema.FieldsList[i].Name, found);
        return found;
    }

    public static Offsets Find(string snapshotFile, string column) =>
        Find(snapshotFile).Single(o => o.Column == column);

    /// <summary>The file position of buffer <paramref name="index"/> of a column (0 validity, 1 values or offsets), found through the mapping.</summary>
    public static int BufferPosition(string snapshotFile, string column, int index)
    {
        using var snapshot = ClusterSnapshot.OpenFile(snapshotFile);
        var batch = snapshot.RecordBatch;
        var path = column.Split('.');
        var data = batch.Column(batch.Schema.GetFieldIndex(path[0])).Data;
        foreach (var name in path.Skip(1))
        {
            if (data.DataType is ListType) data = data.Children[0];
            data = data.Children[((StructType)data.DataType).GetFieldIndex(name)];
        }
        Xunit.Assert.True(MemoryMarshal.TryGetMemoryManager(data.Buffers[index].Memory, out MappedFile? _, out int start, out _), "the snapshot is not zero-copy");
        return start;
    }

    /// <summary>
    /// The file position of the entry count of the schema message's <c>fields</c> vector
    /// (flatbuffers: Message.header is field 2, Schema.fields field 1).
    /// </summary>
    public static int SchemaFieldsCountPosition(byte[] file)
    {
        int message = 8 + 8; // magic, then continuation marker and metadata length
        int Read(int at) => BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(at));
        int Field(int table, int field)
        {
            int vtable = table - Read(table);
            int at = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(vtable + 4 + 2 * field));
            return table + at + Read(table + at); // follow the offset stored in the field
        }
        int root = message + Read(message);
        int schema = Field(root, 2);
        return Field(schema, 1);
    }

    public static void Write(byte[] file, Offsets offsets, int entry, int value) =>
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(offsets.Position + entry * sizeof(int)), value);

    /// <summary>Every file of a directory tree with its bytes, to show that nothing was written.</summary>
    public static SortedDictionary<string, byte[]> Contents(string directory) =>
        new(Directory.GetFiles(directory, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(directory, f), File.ReadAllBytes), StringComparer.Ordinal);

    public static void AssertSameContents(SortedDictionary<string, byte[]> before, SortedDictionary<string, byte[]> after)
    {
        Xunit.Assert.Equal(before.Keys, after.Keys);
        foreach (var (name, bytes) in before) Xunit.Assert.True(bytes.AsSpan().SequenceEqual(after[name]), $"{name} changed");
    }

    private static void Walk(ArrayData data, string column, List<Offsets> found)
    {
        if (data.DataType is StringType or BinaryType or ListType && data.Length > 0)
        {
            Xunit.Assert.True(MemoryMarshal.TryGetMemoryManager(data.Buffers[1].Memory, out MappedFile? _, out int start, out _), "the snapshot is not zero-copy");
            int position = start + data.Offset * sizeof(int);
            var values = MemoryMarshal.Cast<byte, int>(data.Buffers[1].Span).Slice(data.Offset, data.Length + 1).ToArray();
            found.Add(new Offsets(column, position, values));
        }
        if (data.DataType is ListType) Walk(data.Children[0], column.Contains('.') ? column + "[]" : column, found);
        if (data.DataType is StructType type)
        {
            for (int i = 0; i < data.Children.Length; i++) Walk(data.Children[i], column + "." + type.Fields[i].Name, found);
        }
    }
}
