using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Parquet;
using Parquet.Schema;
using ClusterState.Schema;

namespace ClusterState.Persistence;

/// <summary>
/// Writes Parquet straight from the snapshot's Arrow columns, one leaf column at a time: the
/// definition and repetition levels are computed from the Arrow validity and list offsets, and
/// only one column's values exist in memory at once (no object per row). Both layouts share the
/// leaf list of each entity; they differ only in the levels that frame it.
/// </summary>
internal static class ParquetColumns
{
    /// <summary>Rows per row group of the flat layout.</summary>
    public const int RowGroupSize = 65_536;

    private static readonly int[] Defined = { 1 }, Undefined = { 0 };
    // Unique columns (ids, CIDs) are recognised from a sample instead of a full dictionary attempt.
    private static readonly ParquetOptions Options = new() { CompressionMethod = CompressionMethod.Snappy, DictionaryEncodingSampleSize = 10_000 };

    /// <summary>Writes the nested one-row state schema (a checkpoint). <paramref name="progress"/> gets (columns written, columns).</summary>
    public static void WriteNested(ClusterSnapshot s, Stream stream, IReadOnlyDictionary<string, string> metadata, Action<int, int>? progress)
    {
        var flat = s.Data.Flat; // one batch: a commit log folded in
        var entities = new[] { Nodes(flat.Nodes), Tasks(flat.Tasks), Content(flat.Content) };
        var top = new DataField[]
        {
            new(ClusterSchema.Names.ClusterId, typeof(string), isNullable: true),
            new(ClusterSchema.Names.MasterId, typeof(string), isNullable: true),
            Timestamp(ClusterSchema.Names.UpdatedAt),
        };
        var lists = entities.Select(e => new ListField(e.Name, new StructField("element", StructMembers(e.Leaves))));
        var schema = new ParquetSchema(top.Cast<Field>().Concat(lists).ToArray());
        int total = top.Length + entities.Sum(e => e.Leaves.Length), written = 0;
        Write(schema, stream, metadata, writer =>
        {
            using var group = writer.CreateRowGroup();
            Run(() => WriteTopAsync(group, top[0], s.ClusterId));
            Run(() => WriteTopAsync(group, top[1], s.MasterId));
            var updated = s.UpdatedAt is DateTime u ? new[] { u } : Array.Empty<DateTime>();
            Run(() => group.WriteAllPartsAsync<DateTime>(top[2], updated, updated.Length == 1 ? Defined : Undefined, null, default));
            progress?.Invoke(written = top.Length, total);
            var work = entities.SelectMany(e => e.Leaves.Select(l => (l, new Frame(Nested: true, Start: 0), e.Count))).ToList();
            // Progress is reported on the caller's thread (Write-Progress needs it).
            WriteLeaves(group, work, () => progress?.Invoke(++written, total));
        });
    }

    /// <summary>Writes one entity of the flat layout in row groups of <see cref="RowGroupSize"/>; <paramref name="rows"/> gets the rows of each group written.</summary>
    public static void WriteFlat(ClusterSnapshot s, string entityName, Stream stream, Action<int>? rows)
    {
        var entity = entityName switch
        {
            ClusterSchema.Names.Nodes => Nodes(s.Data.Flat.Nodes),
            ClusterSchema.Names.Tasks => Tasks(s.Data.Flat.Tasks),
            ClusterSchema.Names.Content => Content(s.Data.Flat.Content),
            _ => throw new ArgumentOutOfRangeException(nameof(entityName), entityName, "not an entity of the state"),
        };
        var schema = new ParquetSchema(entity.Leaves.Select(l => l.SchemaField).ToArray());
        Write(schema, stream, null, writer =>
        {
            for (int start = 0; start < entity.Count; start += RowGroupSize)
            {
                int count = Math.Min(RowGroupSize, entity.Count - start);
                using (var group = writer.CreateRowGroup())
                {
                    var frame = new Frame(Nested: false, Start: start);
                    WriteLeaves(group, entity.Leaves.Select(l => (l, frame, count)).ToList(), null);
                }
                rows?.Invoke(count);
            }
        });
    }

    private static void Write(ParquetSchema schema, Stream stream, IReadOnlyDictionary<string, string>? metadata, Action<ParquetWriter> body)
    {
        var writer = Task.Run(() => ParquetWriter.CreateAsync(schema, stream, Options)).GetAwaiter().GetResult();
        bool done = false;
        try
        {
            if (metadata is not null) writer.CustomMetadata = metadata.ToDictionary(kv => kv.Key, kv => kv.Value);
            body(writer);
            done = true;
        }
        finally
        {
            // On failure the footer is not worth writing (the caller discards the temporary file);
            // an error from closing must not hide the one that stopped the write.
            try
            {
                Run(() => writer.DisposeAsync().AsTask());
            }
            catch (Exception) when (!done)
            {
            }
        }
    }

    // Parquet.Net's API is asynchronous; the writers run on the caller's thread, one column at a time.
    private static void Run(Func<Task> work) => Task.Run(work).GetAwaiter().GetResult();

    private static Task WriteTopAsync(ParquetRowGroupWriter group, DataField field, string? value) =>
        value is null
            ? group.WriteAllPartsAsync<ReadOnlyMemory<char>>(field, Array.Empty<ReadOnlyMemory<char>>(), Undefined, null, default)
            : group.WriteAllPartsAsync<ReadOnlyMemory<char>>(field, new[] { value.AsMemory() }, Defined, null, default);

    private static DateTimeDataField Timestamp(string name) =>
        new(name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, unit: DateTimeTimeUnit.Millis, isNullable: true);

    private static Field[] StructMembers(Leaf[] leaves)
    {
        var fields = new List<Field>();
        var resources = leaves.Where(l => l.InResources).Select(l => l.SchemaField).ToArray();
        foreach (var leaf in leaves)
        {
            if (!leaf.InResources) fields.Add(leaf.SchemaField);
            else if (ReferenceEquals(leaf.SchemaField, resources[0])) fields.Add(new StructField(ClusterSchema.Names.Resources, resources));
        }
        return fields.ToArray();
    }

    private sealed record Entity(string Name, int Count, Leaf[] Leaves);

    private static Entity Nodes(NodeColumns c) => FromTable(c, NodeFields.Table);

    private static Entity Tasks(TaskColumns c) => FromTable(c, TaskFields.Table);

    private static Entity Content(ContentColumns c) => FromTable(c, ContentFields.Table);

    /// <summary>An entity's leaves: its field table's rows in Arrow order (Schema/NodeFields, TaskFields, ContentFields), each bound to a typed column reader.</summary>
    private static Entity FromTable(EntityColumns c, FieldTable table)
    {
        var leaves = new List<Leaf>();
        AddLeaves(new ColumnScope(c.Items, c.Items.Offset + c.Start, c.Count, c.Name), table, null, leaves);
        return new(c.Name, c.Count, leaves.ToArray());
    }

    private static void AddLeaves(ColumnScope scope, FieldTable table, Func<int, bool>? inStruct, List<Leaf> leaves)
    {
        foreach (var row in table.Rows)
        {
            string name = row.Name;
            switch (row.Kind)
            {
                case FieldKind.String: leaves.Add(new StringLeaf(name, new StringColumn(scope, name))); break;
                case FieldKind.StringList: leaves.Add(new StringListLeaf(name, new StringListColumn(scope, name))); break;
                case FieldKind.Int32: leaves.Add(Int32Leaf(name, new IntegerColumn(scope, name), inStruct)); break;
                case FieldKind.Int64: leaves.Add(Int64Leaf(name, new IntegerColumn(scope, name), inStruct)); break;
                case FieldKind.Float: leaves.Add(new ValueLeaf<float>(new DataField(name, typeof(float), isNullable: true), new FloatColumn(scope, name).Get, inStruct)); break;
                case FieldKind.Boolean: leaves.Add(new ValueLeaf<bool>(new DataField(name, typeof(bool), isNullable: true), new BooleanColumn(scope, name, row.PresenceOf).Get, inStruct)); break;
                case FieldKind.Timestamp: leaves.Add(new ValueLeaf<DateTime>(Timestamp(name), new TimestampColumn(scope, name).Get, inStruct)); break;
                case FieldKind.Struct:
                    var nested = NestedScope.Of(scope, name, out var present);
                    AddLeaves(nested, row.Children!, present, leaves);
                    break;
                default: throw new InvalidOperationException($"No Parquet leaf for {row.Kind} ({name}).");
            }
        }
    }

    private static ValueLeaf<int> Int32Leaf(string name, IntegerColumn column, Func<int, bool>? inStruct) =>
        new(new DataField(name, typeof(int), isNullable: true), column.GetInt32, inStruct);

    private static ValueLeaf<long> Int64Leaf(string name, IntegerColumn column, Func<int, bool>? inStruct) =>
        new(new DataField(name, typeof(long), isNullable: true), column.Get, inStruct);

    /// <summary>
    /// How a leaf's levels are framed. Nested: the item is an element of a one-row list of structs
    /// (optional list, repeated group, optional struct: an item present with this field null has
    /// definition level 3; items after the first repeat at level 1; list elements at level 2).
    /// Flat: the item is the row (a null field has level 0, list elements repeat at level 1). The
    /// resources struct adds one optional level in the nested layout only.
    /// </summary>
    private readonly record struct Frame(bool Nested, int Start)
    {
        public int ItemDefinition => Nested ? 3 : 0;
        public int StructLevel => Nested ? 1 : 0;
        public int ElementRepetition => Nested ? 2 : 1;
        public int ItemRepetition(int row) => Nested && row != Start ? 1 : 0;
    }

    /// <summary>
    /// Writes leaves in order while the next leaf's levels are built on another core: building
    /// reads the Arrow columns, writing is Parquet.Net's encoding and compression, and the two
    /// overlap. At most two chunks exist at once.
    /// </summary>
    private static void WriteLeaves(ParquetRowGroupWriter group, IReadOnlyList<(Leaf Leaf, Frame Frame, int Count)> work, Action? written)
    {
        if (work.Count == 0) return;
        var scratch = new ScratchPool();
        Task<Chunk> Build(int i) => Task.Run(() => work[i].Leaf.Build(work[i].Frame, work[i].Count, scratch.Rent()));
        var next = Build(0);
        try
        {
            for (int i = 0; i < work.Count; i++)
            {
                var chunk = next.GetAwaiter().GetResult();
                next = i + 1 < work.Count ? Build(i + 1) : Task.FromResult<Chunk>(Chunk.None);
                using (chunk) Run(() => chunk.WriteAsync(group, work[i].Leaf.Field));
                written?.Invoke();
            }
        }
        finally
        {
            // A failed write leaves the chunk being built behind; its buffers go back to the pool.
            next.ContinueWith(t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        }
    }

    /// <summary>One leaf's levels and values for one row group, ready for Parquet.Net.</summary>
    private abstract class Chunk : IDisposable
    {
        /// <summary>Stands for "no next chunk"; owns nothing.</summary>
        public static readonly Chunk None = new Empty();

        public abstract Task WriteAsync(ParquetRowGroupWriter group, DataField field);

        public abstract void Dispose();

        private sealed class Empty : Chunk
        {
            public override Task WriteAsync(ParquetRowGroupWriter group, DataField field) => throw new InvalidOperationException("no chunk to write");

            public override void Dispose()
            {
            }
        }
    }

    /// <summary>
    /// Definition and repetition levels plus the defined values of one column chunk, in buffers
    /// rented for exactly the entries the caller counted (returned when the chunk is written).
    /// </summary>
    private sealed class Levels<T>(int entries, Scratch scratch) : Chunk where T : struct
    {
        private readonly int[] _definition = scratch.Definition(Math.Max(entries, 1));
        private readonly int[] _repetition = scratch.Repetition(Math.Max(entries, 1));
        private readonly T[] _values = scratch.Values<T>(Math.Max(entries, 1));
        private int _count, _valueCount;

        public void Add(int definition, int repetition)
        {
            _definition[_count] = definition;
            _repetition[_count++] = repetition;
        }

        public void Add(int definition, int repetition, T value)
        {
            Add(definition, repetition);
            _values[_valueCount++] = value;
        }

        public override async Task WriteAsync(ParquetRowGroupWriter group, DataField field) =>
            await group.WriteAllPartsAsync<T>(field, _values.AsMemory(0, _valueCount), _definition.AsMemory(0, _count),
                field.MaxRepetitionLevel > 0 ? _repetition.AsMemory(0, _count) : null, default).ConfigureAwait(false);

        public override void Dispose() => scratch.Return();
    }

    /// <summary>
    /// Buffers for one chunk, reused from column to column: a million-entry column needs arrays
    /// the size of the large object heap, and allocating them anew for every column (or renting
    /// them from the shared pools, which trim themselves on every full collection) costs more
    /// than encoding some columns.
    /// </summary>
    private sealed class Scratch(ScratchPool pool)
    {
        private readonly Dictionary<Type, Array> _values = new();
        private int[] _definition = Array.Empty<int>(), _repetition = Array.Empty<int>();
        private char[] _chars = Array.Empty<char>();

        public int[] Definition(int n) => Fit(ref _definition, n);

        public int[] Repetition(int n) => Fit(ref _repetition, n);

        public char[] Chars(int n) => Fit(ref _chars, n);

        public T[] Values<T>(int n)
        {
            if (_values.TryGetValue(typeof(T), out var found) && found.Length >= n) return (T[])found;
            var fresh = new T[n];
            _values[typeof(T)] = fresh;
            return fresh;
        }

        public void Return() => pool.Return(this);

        private static T[] Fit<T>(ref T[] array, int n) => array.Length >= n ? array : array = new T[n];
    }

    /// <summary>The scratch sets of one write: at most one being built and one being written at a time.</summary>
    private sealed class ScratchPool
    {
        private readonly Stack<Scratch> _free = new();

        public Scratch Rent()
        {
            lock (_free) return _free.Count > 0 ? _free.Pop() : new Scratch(this);
        }

        public void Return(Scratch scratch)
        {
            lock (_free) _free.Push(scratch);
        }
    }

    private abstract class Leaf(DataField field, bool inResources, Field? schemaField = null)
    {
        /// <summary>The Parquet leaf column written.</summary>
        public DataField Field { get; } = field;
        /// <summary>The field as it appears in its struct (the LIST around a list's element).</summary>
        public Field SchemaField { get; } = schemaField ?? field;
        public bool InResources { get; } = inResources;

        protected Leaf(ListField list) : this((DataField)list.Item, false, list)
        {
        }

        /// <summary>Levels and values of rows [frame.Start, frame.Start + count) (an empty nested list when count is 0).</summary>
        public abstract Chunk Build(Frame frame, int count, Scratch scratch);
    }

    /// <summary>A fixed-width value (int, long, float, bool, timestamp), optionally inside the resources struct.</summary>
    private sealed class ValueLeaf<T>(DataField field, Func<int, T?> get, Func<int, bool>? structPresent)
        : Leaf(field, structPresent is not null) where T : struct
    {
        public override Chunk Build(Frame frame, int count, Scratch scratch)
        {
            var levels = new Levels<T>(Math.Max(count, 1), scratch);
            if (count == 0) levels.Add(1, 0);
            int defined = frame.ItemDefinition + (structPresent is null ? 0 : frame.StructLevel);
            for (int row = frame.Start; row < frame.Start + count; row++)
            {
                int repetition = frame.ItemRepetition(row);
                if (structPresent is not null && !structPresent(row)) levels.Add(frame.ItemDefinition, repetition);
                else if (get(row) is T value) levels.Add(defined + 1, repetition, value);
                else levels.Add(defined, repetition);
            }
            return levels;
        }
    }

    /// <summary>A string field: UTF-8 from the Arrow buffers, decoded into one character buffer per chunk.</summary>
    private sealed class StringLeaf(string name, StringColumn column)
        : Leaf(new DataField(name, typeof(string), isNullable: true), false)
    {
        public override Chunk Build(Frame frame, int count, Scratch scratch)
        {
            int end = frame.Start + count;
            column.TryGetBuffers(out var offsets, out var bytes, out int b);
            var text = CharBuffer.For(bytes, offsets, b + frame.Start, b + end, scratch);
            var levels = new Levels<ReadOnlyMemory<char>>(Math.Max(count, 1), scratch);
            if (count == 0) levels.Add(1, 0);
            for (int row = frame.Start; row < end; row++)
            {
                int repetition = frame.ItemRepetition(row);
                if (column.IsNull(row)) levels.Add(frame.ItemDefinition, repetition);
                else levels.Add(frame.ItemDefinition + 1, repetition, text.Get(bytes, offsets, b + row));
            }
            return levels;
        }
    }

    /// <summary>A <c>list&lt;string&gt;</c> field as a Parquet LIST (optional list, repeated group, optional element).</summary>
    private sealed class StringListLeaf(string name, StringListColumn column)
        : Leaf(new ListField(name, new DataField("element", typeof(string), isNullable: true)))
    {
        public override Chunk Build(Frame frame, int count, Scratch scratch)
        {
            int end = frame.Start + count, entries = 0;
            for (int row = frame.Start; row < end; row++) entries += Math.Max(1, column.Length(row));
            column.TryGetElementBuffers(out var offsets, out var bytes);
            var text = CharBuffer.For(bytes, offsets, column.Start(frame.Start), column.Start(end), scratch);
            var levels = new Levels<ReadOnlyMemory<char>>(Math.Max(entries, 1), scratch);
            if (count == 0) levels.Add(1, 0);
            int empty = frame.ItemDefinition + 1, value = frame.ItemDefinition + 3;
            for (int row = frame.Start; row < end; row++)
            {
                int start = column.Start(row), n = column.Length(row), repetition = frame.ItemRepetition(row);
                if (n == 0) levels.Add(empty, repetition);
                for (int k = start; k < start + n; k++)
                {
                    levels.Add(value, k == start ? repetition : frame.ElementRepetition, text.Get(bytes, offsets, k));
                }
            }
            return levels;
        }
    }

    /// <summary>
    /// The UTF-16 text of a run of Arrow string values [first, end), decoded into the chunk's character buffer.
    /// ASCII runs (ids, CIDs, statuses) are widened in one vectorised pass and sliced by the Arrow
    /// offsets; other runs are decoded value by value.
    /// </summary>
    private sealed class CharBuffer
    {
        private readonly char[] _chars;
        private readonly int _origin;
        private readonly bool _ascii;
        private int _used;

        private CharBuffer(char[] chars, int origin, bool ascii)
        {
            _chars = chars;
            _origin = origin;
            _ascii = ascii;
        }

        public static CharBuffer For(ReadOnlySpan<byte> bytes, ReadOnlySpan<int> offsets, int first, int end, Scratch scratch)
        {
            if (offsets.IsEmpty) return new CharBuffer(Array.Empty<char>(), 0, ascii: false);
            var run = bytes[offsets[first]..offsets[end]];
            // UTF-8 never yields more UTF-16 code units than it has bytes.
            var chars = scratch.Chars(Math.Max(run.Length, 1));
            bool ascii = Ascii.ToUtf16(run, chars, out _) == System.Buffers.OperationStatus.Done;
            return new CharBuffer(chars, offsets[first], ascii);
        }

        public ReadOnlyMemory<char> Get(ReadOnlySpan<byte> bytes, ReadOnlySpan<int> offsets, int index)
        {
            int start = offsets[index], length = offsets[index + 1] - start;
            if (_ascii) return _chars.AsMemory(start - _origin, length);
            int n = Encoding.UTF8.GetChars(bytes.Slice(start, length), _chars.AsSpan(_used));
            var text = _chars.AsMemory(_used, n);
            _used += n;
            return text;
        }
    }
}
