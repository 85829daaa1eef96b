using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using Apache.Arrow;
using Apache.Arrow.Types;
using ClusterState.Schema;
using Parquet;
using Parquet.Schema;

using N = ClusterState.ClusterSchema.Names;
using PField = Parquet.Schema.Field;

namespace ClusterState.Persistence;

/// <summary>
/// Reads a checkpoint (the nested one-row schema <see cref="ParquetColumns.WriteNested"/> writes)
/// back, the mirror of the writer: each leaf column is read with Parquet.Net's low-level API, and
/// its definition and repetition levels are turned back into Arrow validity and list offsets. The
/// leaves come from the field tables (Schema/NodeFields, TaskFields, ContentFields), so a field
/// added there is read with no change here; the Arrow arrays then become objects through the
/// same table-driven readers that materialise snapshot rows.
/// </summary>
/// <remarks>
/// The file must have the writer's shape: one row group of one row, the <c>schema_version</c>
/// key, every leaf of its version with the writer's nesting. A field newer than the file's
/// version may be missing (it reads as null); one of a version newer than the file's is ignored
/// (the writer writes it, all null, for a version-1 state). A column that no field table names is
/// refused, not skipped: it is a newer writer's field or a foreign file, and dropping it on a
/// restore would lose data silently. Every count the file declares is bounded before anything is
/// allocated by it. Failures are <see cref="InvalidDataException"/>s naming the column.
/// </remarks>
internal static class ParquetCheckpointReader
{
    // Levels of the nested layout: the entity list (optional, 1), its repeated group (2), the item
    // struct (optional, 3); an item's field adds one, the resources struct one more, a string
    // list three (optional list, repeated group, optional element).
    private const int NullList = 0, NullItem = 2, Item = 3;

    // A column chunk may declare at most this many entries per byte of the file. Runs of equal
    // levels cost almost nothing in Parquet, so no exact bound exists; this one is far above what
    // the writer produces (every item carries a distinct key of several bytes) and keeps a forged
    // count in a small file from allocating gigabytes.
    private const long EntriesPerByte = 64;

    /// <summary>Reads the checkpoint in <paramref name="stream"/> (seekable) into typed state content.</summary>
    /// <exception cref="InvalidDataException">The file is not a checkpoint of a readable version.</exception>
    public static StateContent Read(Stream stream) => Task.Run(() => ReadAsync(stream)).GetAwaiter().GetResult();

    private static async Task<StateContent> ReadAsync(Stream stream)
    {
        long limit = Math.Min(System.Array.MaxLength, EntriesPerByte * stream.Length + 1024);
        await using var reader = await ParquetReader.CreateAsync(stream, leaveStreamOpen: true).ConfigureAwait(false);
        if (reader.RowGroupCount != 1) throw Bad($"it has {reader.RowGroupCount} row groups where a checkpoint has one");
        var group = reader.OpenRowGroupReader(0);
        if (group.RowCount != 1) throw Bad($"it holds {group.RowCount} rows, not one");
        int version = Version(reader.CustomMetadata);

        var entities = new (string Name, FieldTable Table)[] { (N.Nodes, NodeFields.Table), (N.Tasks, TaskFields.Table), (N.Content, ContentFields.Table) };
        var top = new Leaf[] { new(N.ClusterId, FieldKind.String), new(N.MasterId, FieldKind.String), new(N.UpdatedAt, FieldKind.Timestamp) };
        var items = entities.Select(e => Leaves(e.Table)).ToArray();
        // Attaching the fields to a schema gives them the paths and levels of the writer's layout.
        _ = new ParquetSchema(top.Select(l => l.Field).Concat(entities.Select((e, i) => (PField)new ListField(e.Name, new StructField("element", items[i].Select(l => l.Field).ToArray())))).ToArray());

        var source = new LeafSource(group, reader.Schema, limit);
        var content = new StateContent
        {
            ClusterId = Utf8(await source.TopAsync(top[0]).ConfigureAwait(false)) ?? "",
            MasterId = Utf8(await source.TopAsync(top[1]).ConfigureAwait(false)) ?? "",
            UpdatedAt = await source.TopTimeAsync(top[2]).ConfigureAwait(false),
        };
        var lists = new List<IArrowArray>();
        var full = ClusterSchema.Build(version, 0);
        var fields = entities.Select(e => full.GetFieldByName(e.Name)).ToArray();
        for (int i = 0; i < entities.Length; i++)
            lists.Add(await EntityAsync(source, entities[i].Name, (ListType)fields[i].DataType, entities[i].Table, items[i], version).ConfigureAwait(false));
        source.RefuseUnread();

        var schema = new Apache.Arrow.Schema(fields, null);
        using var batch = new RecordBatch(schema, lists, 1);
        var nodes = new NodeColumns(batch);
        var tasks = new TaskColumns(batch);
        var contentItems = new ContentColumns(batch);
        content.Nodes = Enumerable.Range(0, nodes.Count).Select(nodes.Read).ToList();
        content.Tasks = Enumerable.Range(0, tasks.Count).Select(tasks.Read).ToList();
        content.Content = Enumerable.Range(0, contentItems.Count).Select(contentItems.Read).ToList();
        return content;
    }

    private static int Version(Dictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue(ClusterSchema.SchemaVersionKey, out var text))
            throw Bad($"its key/value metadata has no '{ClusterSchema.SchemaVersionKey}'");
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int version) || version < ClusterSchema.OldestReadableVersion)
            throw Bad($"its schema version '{text}' is not one this module reads");
        if (version > ClusterSchema.CurrentVersion)
            throw Bad($"it was written in schema version {version}; this module reads versions {ClusterSchema.OldestReadableVersion} to {ClusterSchema.CurrentVersion}");
        return version;
    }

    /// <summary>The leaves of a table's rows, every version's, in Arrow order (a struct's leaves inside it).</summary>
    private static Leaf[] Leaves(FieldTable table) => table.Rows.Select(r => new Leaf(r)).ToArray();

    /// <summary>The list of one entity's items in the file's version: its struct's children rebuilt leaf by leaf.</summary>
    private static async Task<IArrowArray> EntityAsync(LeafSource source, string name, ListType listType, FieldTable table, Leaf[] leaves, int version)
    {
        var frame = new ItemFrame(name);
        var children = new List<IArrowArray>();
        foreach (var leaf in leaves)
        {
            if (!leaf.Row!.InVersion(version))
            {
                // The writer writes every table row; for an older version's state those are all null.
                await source.SkipAsync(leaf).ConfigureAwait(false);
                continue;
            }
            children.Add(await BuildAsync(source, leaf, frame, version).ConfigureAwait(false));
        }
        int count = frame.Count ?? 0;
        var structs = new StructArray(table.TypeOf(version), count, children, ArrowBuffer.Empty, 0);
        var offsets = Offsets(new[] { 0, count });
        return frame.ListNull == true
            ? new ListArray(listType, 1, offsets, structs, new ArrowBuffer(new byte[1]), 1)
            : new ListArray(listType, 1, offsets, structs, ArrowBuffer.Empty, 0);
    }

    private static async Task<IArrowArray> BuildAsync(LeafSource source, Leaf leaf, ItemFrame frame, int version)
    {
        var row = leaf.Row!;
        switch (row.Kind)
        {
            case FieldKind.StringList:
                {
                    var c = await source.ReadAsync<ReadOnlyMemory<byte>>(leaf).ConfigureAwait(false);
                    return StringListOf(c, leaf, frame, (ListType)row.ArrowTypeAt(version));
                }
            case FieldKind.Struct:
                {
                    var present = new StructPresence();
                    var children = new List<IArrowArray>();
                    foreach (var child in leaf.Children!)
                    {
                        if (!child.Row!.InVersion(version)) await source.SkipAsync(child).ConfigureAwait(false);
                        else children.Add(await ScalarAsync(source, child, frame, present).ConfigureAwait(false));
                    }
                    int count = frame.Count ?? 0;
                    var (validity, nulls) = present.Bitmap(count);
                    return new StructArray(row.ArrowTypeAt(version), count, children, validity, nulls);
                }
            default:
                return await ScalarAsync(source, leaf, frame, null).ConfigureAwait(false);
        }
    }

    /// <summary>A fixed-width or string leaf of an item, or of a struct in it when <paramref name="present"/> is given.</summary>
    private static async Task<IArrowArray> ScalarAsync(LeafSource source, Leaf leaf, ItemFrame frame, StructPresence? present)
    {
        switch (leaf.Row!.Kind)
        {
            case FieldKind.String:
                {
                    var c = await source.ReadAsync<ReadOnlyMemory<byte>>(leaf).ConfigureAwait(false);
                    var (validity, nulls) = frame.Scalar(c, leaf.Path, present);
                    return StringArrayOf(c.Values, c.Definition, c.Count, leaf.MaxDefinition, validity, nulls);
                }
            case FieldKind.Int32:
                {
                    var c = await source.ReadAsync<int>(leaf).ConfigureAwait(false);
                    var (validity, nulls) = frame.Scalar(c, leaf.Path, present);
                    return new Int32Array(Fixed<int, int>(c, leaf.MaxDefinition, v => v), validity, frame.Count ?? 0, nulls, 0);
                }
            case FieldKind.Int64:
                {
                    var c = await source.ReadAsync<long>(leaf).ConfigureAwait(false);
                    var (validity, nulls) = frame.Scalar(c, leaf.Path, present);
                    return new Int64Array(Fixed<long, long>(c, leaf.MaxDefinition, v => v), validity, frame.Count ?? 0, nulls, 0);
                }
            case FieldKind.Float:
                {
                    var c = await source.ReadAsync<float>(leaf).ConfigureAwait(false);
                    var (validity, nulls) = frame.Scalar(c, leaf.Path, present);
                    return new FloatArray(Fixed<float, float>(c, leaf.MaxDefinition, v => v), validity, frame.Count ?? 0, nulls, 0);
                }
            case FieldKind.Boolean:
                {
                    var c = await source.ReadAsync<bool>(leaf).ConfigureAwait(false);
                    var (validity, nulls) = frame.Scalar(c, leaf.Path, present);
                    return new BooleanArray(Bits(c, leaf.MaxDefinition), validity, frame.Count ?? 0, nulls, 0);
                }
            case FieldKind.Timestamp:
                {
                    var c = await source.ReadAsync<DateTime>(leaf).ConfigureAwait(false);
                    var (validity, nulls) = frame.Scalar(c, leaf.Path, present);
                    return new TimestampArray(FieldCodecs.TimestampMs, Fixed<DateTime, long>(c, leaf.MaxDefinition, Milliseconds), validity, frame.Count ?? 0, nulls, 0);
                }
            default:
                throw new InvalidOperationException($"No Arrow array for {leaf.Row.Kind} ({leaf.Path}).");
        }
    }

    private static long Milliseconds(DateTime t) => (t.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond;

    /// <summary>The values buffer of a fixed-width leaf: one slot per item, the defined ones filled in order.</summary>
    private static ArrowBuffer Fixed<T, TArrow>(Column<T> c, int defined, Func<T, TArrow> convert) where T : struct where TArrow : struct
    {
        var bytes = new byte[c.Items * Marshal.SizeOf<TArrow>()];
        var slots = MemoryMarshal.Cast<byte, TArrow>(bytes.AsSpan());
        int item = 0, value = 0;
        for (int i = 0; i < c.Count; i++)
        {
            if (c.Definition[i] < Item) continue;
            if (c.Definition[i] == defined) slots[item] = convert(c.Values[value++]);
            item++;
        }
        return new ArrowBuffer(bytes);
    }

    private static ArrowBuffer Bits(Column<bool> c, int defined)
    {
        var bytes = new byte[(c.Items + 7) / 8];
        int item = 0, value = 0;
        for (int i = 0; i < c.Count; i++)
        {
            if (c.Definition[i] < Item) continue;
            if (c.Definition[i] == defined && c.Values[value++]) bytes[item >> 3] |= (byte)(1 << (item & 7));
            item++;
        }
        return new ArrowBuffer(bytes);
    }

    /// <summary>
    /// A string array of the entries at or above <paramref name="minimum"/> (an item's, or a list
    /// element's): those at <paramref name="defined"/> take the next value, the others are null
    /// (their bit in <paramref name="validity"/> is clear).
    /// </summary>
    private static StringArray StringArrayOf(ReadOnlySpan<ReadOnlyMemory<byte>> values, ReadOnlySpan<int> definition, int entries, int defined, ArrowBuffer validity, int nulls, int minimum = Item)
    {
        long total = 0;
        int count = 0, value = 0;
        for (int i = 0; i < entries; i++)
        {
            if (definition[i] < minimum) continue;
            count++;
            if (definition[i] == defined) total += values[value++].Length;
        }
        if (total > int.MaxValue) throw Bad($"its strings hold {total} bytes, more than one Arrow array can");
        var offsetBytes = new byte[(count + 1) * sizeof(int)];
        var offsets = MemoryMarshal.Cast<byte, int>(offsetBytes.AsSpan());
        var data = new byte[total];
        int at = 0, slot = 0;
        value = 0;
        for (int i = 0; i < entries; i++)
        {
            if (definition[i] < minimum) continue;
            if (definition[i] == defined)
            {
                var text = values[value++].Span;
                text.CopyTo(data.AsSpan(at));
                at += text.Length;
            }
            offsets[++slot] = at;
        }
        return new StringArray(count, new ArrowBuffer(offsetBytes), new ArrowBuffer(data), validity, nulls);
    }

    /// <summary>A <c>list&lt;string&gt;</c> leaf: items start at repetition level 0 or 1, their further elements repeat at 2.</summary>
    private static ListArray StringListOf(Column<ReadOnlyMemory<byte>> c, Leaf leaf, ItemFrame frame, ListType type)
    {
        // Item level: a null list; one above: an empty one; two above: an element (null below the maximum).
        const int NullOfItem = Item, ElementLevel = Item + 2, Repeat = 2;
        int items = frame.Items(c, leaf.Path);
        var listValidity = new byte[(items + 7) / 8];
        var offsetBytes = new byte[(items + 1) * sizeof(int)];
        var offsets = MemoryMarshal.Cast<byte, int>(offsetBytes.AsSpan());
        int item = -1, elements = 0, listNulls = 0;
        for (int i = 0; items > 0 && i < c.Count; i++)
        {
            int d = c.Definition[i], r = c.Repetition![i];
            if (r < Repeat)
            {
                if (item >= 0) offsets[item + 1] = elements;
                item++;
                if (d == NullOfItem) listNulls++;
                else listValidity[item >> 3] |= (byte)(1 << (item & 7));
                if (d >= ElementLevel) elements++;
            }
            else if (d < ElementLevel) throw Bad($"the column '{leaf.Path}' repeats a list element at definition level {d}");
            else elements++;
        }
        if (items > 0) offsets[items] = elements;
        // The element strings: every entry at the element level, null below its maximum.
        var (elementBits, elementNulls) = Validity(c.Definition, c.Count, ElementLevel, leaf.MaxDefinition, elements);
        var strings = StringArrayOf(c.Values, c.Definition, c.Count, leaf.MaxDefinition, elementBits, elementNulls, ElementLevel);
        return new ListArray(type, items, new ArrowBuffer(offsetBytes), strings,
            listNulls == 0 ? ArrowBuffer.Empty : new ArrowBuffer(listValidity), listNulls);
    }

    /// <summary>The validity of the entries at or above <paramref name="minimum"/>: set where the level is <paramref name="defined"/>.</summary>
    private static (ArrowBuffer Bits, int Nulls) Validity(ReadOnlySpan<int> definition, int entries, int minimum, int defined, int count)
    {
        var bits = new byte[(count + 7) / 8];
        int slot = 0, nulls = 0;
        for (int i = 0; i < entries; i++)
        {
            if (definition[i] < minimum) continue;
            if (definition[i] == defined) bits[slot >> 3] |= (byte)(1 << (slot & 7));
            else nulls++;
            slot++;
        }
        return (nulls == 0 ? ArrowBuffer.Empty : new ArrowBuffer(bits), nulls);
    }

    private static ArrowBuffer Offsets(int[] offsets) => new(MemoryMarshal.AsBytes(offsets.AsSpan()).ToArray());

    private static string? Utf8(ReadOnlyMemory<byte>? bytes) => bytes is { } b ? System.Text.Encoding.UTF8.GetString(b.Span) : null;

    private static InvalidDataException Bad(string why) => new(why);

    /// <summary>
    /// The items of one entity as its leaves see them: how many, and whether the list is null. The
    /// first leaf read sets both; every other leaf must agree.
    /// </summary>
    private sealed class ItemFrame(string entity)
    {
        public int? Count { get; private set; }
        public bool? ListNull { get; private set; }

        /// <summary>The number of items a leaf's levels hold (checked against the other leaves).</summary>
        public int Items<T>(Column<T> c, string path) where T : struct
        {
            int items = 0;
            bool listNull = false;
            if (c.Count == 1 && c.Definition[0] < Item)
            {
                if (c.Definition[0] == NullItem) throw Bad($"the column '{path}' holds a null {entity} item");
                listNull = c.Definition[0] == NullList;
            }
            else
            {
                var rep = c.Repetition!;
                if (rep[0] != 0) throw Bad($"the column '{path}' does not start its row at its first entry");
                for (int i = 0; i < c.Count; i++)
                {
                    if (rep[i] > 1) continue;
                    if (c.Definition[i] < Item) throw Bad($"the column '{path}' holds a null or missing {entity} item at entry {i}");
                    if ((rep[i] == 0) != (i == 0)) throw Bad($"the column '{path}' starts a second row at entry {i}");
                    items++;
                }
            }
            if (Count is null)
            {
                Count = items;
                ListNull = listNull;
            }
            else if (Count != items || ListNull != listNull)
            {
                throw Bad($"the column '{path}' holds {items} {entity} items where the columns before it hold {Count}");
            }
            return items;
        }

        /// <summary>
        /// The validity of a leaf with one entry per item: set where the value is defined. Inside
        /// a struct, the struct's presence (definition level above the item's) is recorded or checked.
        /// </summary>
        public (ArrowBuffer Bits, int Nulls) Scalar<T>(Column<T> c, string path, StructPresence? present) where T : struct
        {
            if (c.Repetition is not null && c.Repetition.AsSpan(0, c.Count).IndexOfAnyExcept(0, 1) >= 0)
                throw Bad($"the column '{path}' repeats values inside an item; its field is not a list");
            int items = Items(c, path);
            c.Items = items;
            present?.Record(c, items, path);
            return Validity(c.Definition, c.Count, Item, c.MaxDefinition, items);
        }
    }

    /// <summary>Whether a nested struct is present at each item: the first child's levels set it, the other children must agree.</summary>
    private sealed class StructPresence
    {
        private byte[]? _bits;
        private int _nulls;

        public void Record<T>(Column<T> c, int items, string path) where T : struct
        {
            var bits = new byte[(items + 7) / 8];
            int nulls = 0;
            for (int i = 0, item = 0; items > 0 && i < c.Count; i++, item++)
            {
                if (c.Definition[i] > Item) bits[item >> 3] |= (byte)(1 << (item & 7));
                else nulls++;
            }
            if (_bits is null)
            {
                _bits = bits;
                _nulls = nulls;
            }
            else if (!_bits.AsSpan().SequenceEqual(bits))
            {
                throw Bad($"the column '{path}' disagrees with the columns before it on where its struct is null");
            }
        }

        public (ArrowBuffer Bits, int Nulls) Bitmap(int items) =>
            _bits is null || _nulls == 0 ? (ArrowBuffer.Empty, 0) : (new ArrowBuffer(_bits), _nulls);
    }

    /// <summary>
    /// A leaf of the writer's layout: the Parquet field to read (strings as raw UTF-8 bytes, which
    /// go into Arrow as they are) and, for a struct, its children.
    /// </summary>
    private sealed class Leaf
    {
        public Leaf(FieldRow row)
        {
            Row = row;
            switch (row.Kind)
            {
                case FieldKind.Struct:
                    Children = row.Children!.Rows.Select(r => new Leaf(r)).ToArray();
                    Field = new StructField(row.Name, Children.Select(c => c.Field).ToArray());
                    break;
                case FieldKind.StringList:
                    Field = new ListField(row.Name, new DataField("element", typeof(byte[]), isNullable: true));
                    break;
                default:
                    Field = Data(row.Name, row.Kind);
                    break;
            }
        }

        /// <summary>A top-level value of the one row (not an entity field).</summary>
        public Leaf(string name, FieldKind kind) => Field = Data(name, kind);

        public FieldRow? Row { get; }
        public PField Field { get; }
        public Leaf[]? Children { get; }

        /// <summary>The leaf data field (a list's element).</summary>
        public DataField DataField => Field as DataField ?? (DataField)((ListField)Field).Item;

        public string Path => DataField.Path.ToString();

        public int MaxDefinition => DataField.MaxDefinitionLevel;

        private static DataField Data(string name, FieldKind kind) => kind switch
        {
            FieldKind.String => new DataField(name, typeof(byte[]), isNullable: true),
            FieldKind.Int32 => new DataField(name, typeof(int), isNullable: true),
            FieldKind.Int64 => new DataField(name, typeof(long), isNullable: true),
            FieldKind.Float => new DataField(name, typeof(float), isNullable: true),
            FieldKind.Boolean => new DataField(name, typeof(bool), isNullable: true),
            FieldKind.Timestamp => new DataField(name, typeof(DateTime), isNullable: true),
            _ => throw new InvalidOperationException($"No Parquet leaf for {kind} ({name})."),
        };
    }

    /// <summary>The definition and repetition levels of one leaf column chunk as read.</summary>
    private abstract class Levels(int[] definition, int[]? repetition, int count, int maxDefinition)
    {
        public int[] Definition { get; } = definition;
        public int[]? Repetition { get; } = repetition;
        public int Count { get; } = count;
        public int MaxDefinition { get; } = maxDefinition;
    }

    /// <summary>One leaf column chunk as read: its levels and its defined values, compacted.</summary>
    private sealed class Column<T>(T[] values, int[] definition, int[]? repetition, int count, int maxDefinition)
        : Levels(definition, repetition, count, maxDefinition) where T : struct
    {
        public T[] Values { get; } = values;

        /// <summary>The number of items of the entity (set once the frame has counted them).</summary>
        public int Items { get; set; }
    }

    /// <summary>
    /// The file's leaf columns, checked against the layout before reading: the path must exist
    /// with the writer's levels and a compatible physical type, and the chunk's declared count
    /// must be within the file's bound. Remembers what was read, to refuse what was not.
    /// </summary>
    private sealed class LeafSource
    {
        private readonly ParquetRowGroupReader _group;
        private readonly Dictionary<string, DataField> _file;
        private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
        private readonly long _limit;

        public LeafSource(ParquetRowGroupReader group, ParquetSchema schema, long limit)
        {
            _group = group;
            _limit = limit;
            _file = new(StringComparer.Ordinal);
            foreach (var f in schema.DataFields) _file[f.Path.ToString()] = f;
        }

        /// <summary>
        /// Passes over a field newer than the file's version: absent, or present with no value
        /// (what the writer writes for an older state). A value there would be lost, so it is refused.
        /// </summary>
        public async Task SkipAsync(Leaf leaf)
        {
            if (leaf.Children is { } children)
            {
                foreach (var c in children) await SkipAsync(c).ConfigureAwait(false);
                return;
            }
            if (!_file.ContainsKey(leaf.Path))
            {
                _seen.Add(leaf.Path);
                return;
            }
            Levels levels = leaf.Row!.Kind switch
            {
                FieldKind.String or FieldKind.StringList => await ReadAsync<ReadOnlyMemory<byte>>(leaf).ConfigureAwait(false),
                FieldKind.Int32 => await ReadAsync<int>(leaf).ConfigureAwait(false),
                FieldKind.Int64 => await ReadAsync<long>(leaf).ConfigureAwait(false),
                FieldKind.Float => await ReadAsync<float>(leaf).ConfigureAwait(false),
                FieldKind.Boolean => await ReadAsync<bool>(leaf).ConfigureAwait(false),
                FieldKind.Timestamp => await ReadAsync<DateTime>(leaf).ConfigureAwait(false),
                _ => throw new InvalidOperationException($"No Parquet leaf for {leaf.Row.Kind} ({leaf.Path})."),
            };
            if (levels.Definition.AsSpan(0, levels.Count).Contains(levels.MaxDefinition))
                throw Bad($"the column '{leaf.Path}' holds values, but its field is newer than the file's schema version");
        }

        public async Task<ReadOnlyMemory<byte>?> TopAsync(Leaf leaf)
        {
            var c = await ReadAsync<ReadOnlyMemory<byte>>(leaf).ConfigureAwait(false);
            return One(c, leaf) ? c.Values[0] : null;
        }

        public async Task<DateTime?> TopTimeAsync(Leaf leaf)
        {
            var c = await ReadAsync<DateTime>(leaf).ConfigureAwait(false);
            return One(c, leaf) ? DateTime.SpecifyKind(c.Values[0], DateTimeKind.Utc) : null;
        }

        private static bool One<T>(Column<T> c, Leaf leaf) where T : struct
        {
            if (c.Count != 1) throw Bad($"the column '{leaf.Path}' holds {c.Count} values where the one row has one");
            return c.Definition[0] == c.MaxDefinition;
        }

        public async Task<Column<T>> ReadAsync<T>(Leaf leaf) where T : struct
        {
            var field = leaf.DataField;
            string path = leaf.Path;
            _seen.Add(path);
            if (!_file.TryGetValue(path, out var found)) throw Bad($"the column '{path}' is missing");
            if (found.MaxDefinitionLevel != field.MaxDefinitionLevel || found.MaxRepetitionLevel != field.MaxRepetitionLevel)
                throw Bad($"the column '{path}' is nested differently from a checkpoint's (definition/repetition levels {found.MaxDefinitionLevel}/{found.MaxRepetitionLevel}, not {field.MaxDefinitionLevel}/{field.MaxRepetitionLevel})");
            bool compatible = found.ClrType == field.ClrType || (field.ClrType == typeof(ReadOnlyMemory<byte>) && found.ClrType == typeof(ReadOnlyMemory<char>));
            if (!compatible) throw Bad($"the column '{path}' holds {found.ClrType.Name} values, not {field.ClrType.Name}");
            long declared = _group.GetMetadata(field)?.MetaData?.NumValues ?? -1;
            if (declared < 1 || declared > _limit)
                throw Bad($"the column '{path}' declares {declared} values, outside 1 to {_limit} for a file of this size");
            int n = (int)declared;
            var values = new T[n];
            var definition = new int[n];
            var repetition = field.MaxRepetitionLevel > 0 ? new int[n] : null;
            await _group.ReadRawAsync<T>(field, values, definition.AsMemory(), repetition is null ? (Memory<int>?)null : repetition.AsMemory()).ConfigureAwait(false);
            int max = field.MaxDefinitionLevel, maxRepetition = field.MaxRepetitionLevel;
            if (definition.AsSpan().IndexOfAnyExceptInRange(0, max) >= 0)
                throw Bad($"the column '{path}' has definition levels above its maximum {max}");
            if (repetition is not null && repetition.AsSpan().IndexOfAnyExceptInRange(0, maxRepetition) >= 0)
                throw Bad($"the column '{path}' has repetition levels above its maximum {maxRepetition}");
            return new Column<T>(values, definition, repetition, n, max);
        }

        /// <summary>Refuses the file when it has a column no field table names.</summary>
        public void RefuseUnread()
        {
            var unknown = _file.Keys.Where(p => !_seen.Contains(p)).OrderBy(p => p, StringComparer.Ordinal).ToList();
            if (unknown.Count > 0)
                throw Bad($"it has columns this module does not know ({string.Join(", ", unknown)}); a newer writer's fields are not dropped on read");
        }
    }
}
