using System;
using System.Collections.Generic;
using System.Linq;
using Apache.Arrow;
using Apache.Arrow.Types;
using ClusterState.Schema;
using N = ClusterState.ClusterSchema.Names;

namespace ClusterState.Storage;

/// <summary>
/// One record of the commit log (DESIGN.md §5, docs/FORMAT.md "The commit log"): a one-row
/// batch of the log's schema (<see cref="ClusterSchema.BuildLog"/>) holding what one commit
/// wrote. Read records point into the log's mapping; nothing is copied.
/// </summary>
internal sealed class CommitRecord
{
    private CommitRecord(IArrowArray?[] top, long generation, EntityColumns[] entities, int[] counts, string[][] removed, int[][] rowHints, int[][] removedHints)
    {
        _top = top;
        Generation = generation;
        _entities = entities;
        _counts = counts;
        _removed = removed;
        _rowHints = rowHints;
        _removedHints = removedHints;
    }

    // A record keeps what its readers use, not its decoded batch: records live as long as their
    // log (thousands of them), and a batch of the full schema is some three hundred objects, most
    // of them the empty lists of the entities it does not write. Measured with eight writer
    // processes, keeping them made the collector promote every record's batch through each
    // generation, several times the cost of decoding it. The entities it writes are bound here;
    // those it leaves empty share one binding per schema (EmptyEntities).
    private readonly IArrowArray?[] _top;
    private readonly EntityColumns[] _entities;
    private readonly int[] _counts;
    private readonly string[][] _removed;
    private readonly int[][] _rowHints;
    private readonly int[][] _removedHints;

    /// <summary>The entity lists, in this order, everywhere the log speaks of "entity k".</summary>
    public static readonly string[] EntityNames = { N.Nodes, N.Tasks, N.Content };

    private static readonly string[] RemovedNames = { N.RemovedNodes, N.RemovedTasks, N.RemovedContent };

    /// <summary>The top-level values a record carries over into the state it makes (<see cref="Top"/>).</summary>
    private static readonly string[] TopNames = { N.ClusterId, N.MasterId, N.UpdatedAt };

    /// <summary>
    /// Per schema (one per log read), the binding of each entity list a record leaves empty: every
    /// such record of the schema reads the same, so one binding serves them all.
    /// </summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Apache.Arrow.Schema, EntityColumns?[]> EmptyEntities = new();

    /// <summary>The generation this record makes.</summary>
    public long Generation { get; }

    /// <summary>The record's top-level column <paramref name="name"/> (cluster_id, master_id or updated_at), or null where the record lacks it.</summary>
    public IArrowArray? Top(string name) => System.Array.IndexOf(TopNames, name) is int i and >= 0 ? _top[i] : throw new ArgumentOutOfRangeException(nameof(name));

    /// <summary>The commit's time (the record's <c>updated_at</c>), or null where a record lacks it.</summary>
    public DateTime? UpdatedAt => Top(N.UpdatedAt) is TimestampArray { Length: 1 } at && !at.IsNull(0) ? at.GetTimestamp(0)!.Value.UtcDateTime : null;

    /// <summary>The rows written to entity <paramref name="k"/> (0 nodes, 1 tasks, 2 content).</summary>
    public EntityColumns Rows(int k) => _entities[k];

    /// <summary>How many rows of entity <paramref name="k"/> the record writes.</summary>
    public int RowCount(int k) => _counts[k];

    private static EntityColumns Bind(RecordBatch batch, int k) => k switch
    {
        0 => new NodeColumns(batch),
        1 => new TaskColumns(batch),
        _ => new ContentColumns(batch),
    };

    /// <summary>For each row of <see cref="Rows"/>, the base row it replaces, or -1.</summary>
    public int[] RowHints(int k) => _rowHints[k];

    /// <summary>The keys removed from entity <paramref name="k"/>.</summary>
    public string[] Removed(int k) => _removed[k];

    /// <summary>For each removed key, its base row, or -1.</summary>
    public int[] RemovedHints(int k) => _removedHints[k];

    /// <summary>
    /// The batch of a record: the top-level values of the new generation, each entity's rows
    /// (in the struct type of <paramref name="logSchema"/>'s list), removals and hints, and a
    /// zero checksum that <see cref="CommitLog.Serialize"/> fills in.
    /// </summary>
    public static RecordBatch Build(Apache.Arrow.Schema logSchema, long generation, string clusterId, string masterId, DateTime updatedAt, IReadOnlyList<RecordEntity> entities)
    {
        var arrays = new List<IArrowArray>();
        foreach (var field in logSchema.FieldsList)
        {
            int k = System.Array.IndexOf(EntityNames, field.Name), r = System.Array.IndexOf(RemovedNames, field.Name);
            arrays.Add(field.Name switch
            {
                N.ClusterId => new StringArray.Builder().Append(clusterId).Build(ManagedMemoryAllocator.Instance),
                N.MasterId => new StringArray.Builder().Append(masterId).Build(ManagedMemoryAllocator.Instance),
                N.UpdatedAt => new TimestampArray.Builder((TimestampType)field.DataType).Append(StateBatchBuilder.Utc(updatedAt)).Build(ManagedMemoryAllocator.Instance),
                N.Generation => new Int64Array.Builder().Append(generation).Build(ManagedMemoryAllocator.Instance),
                N.Checksum => new Int64Array.Builder().Append(0).Build(ManagedMemoryAllocator.Instance),
                N.BaseRows => IntList((ListType)field.DataType, entities.SelectMany(e => e.BaseRows).Concat(entities.SelectMany(e => e.RemovedBaseRows))),
                _ when k >= 0 => StateBatchBuilder.OneRowList(field.DataType, entities[k].Rows),
                _ when r >= 0 => StringList((ListType)field.DataType, entities[r].Removed),
                _ => new NullArray(1), // a top-level column of a newer writer: this module writes none
            });
        }
        return new RecordBatch(logSchema, arrays, 1);
    }

    /// <summary>
    /// Reads a decoded record batch. The log's schema was checked once (CommitLog); here the
    /// values: one row, a generation, lists that are present and hints as many as their rows
    /// (arrays for which <paramref name="validated"/> is true were validated before: the empty
    /// lists a <see cref="RecordBatchLoader"/> shares). Damage is SnapshotCorrupt naming the log and the column.
    /// </summary>
    public static CommitRecord Read(RecordBatch batch, string logPath, Func<IArrowArray, bool>? validated = null)
    {
        if (batch.Length != 1) throw Corrupt(logPath, $"a record holds {batch.Length} rows, not one");
        foreach (var (array, i) in batch.Arrays.Select((a, i) => (a, i)))
            if (validated?.Invoke(array) != true) ArrayValidation.Validate(array, 1, batch.Schema.FieldsList[i].Name, forRewrite: true);
        if (ColumnBinding.Column(batch, N.Generation) is not Int64Array { Length: 1 } g || g.IsNull(0))
            throw Corrupt(logPath, "a record has no generation");
        var counts = EntityNames.Select(name => EntityColumns.Bind(batch, name).Count).ToArray();
        var empty = EmptyEntities.GetValue(batch.Schema, _ => new EntityColumns?[3]);
        var entities = new EntityColumns[3];
        for (int k = 0; k < 3; k++)
        {
            if (counts[k] > 0) entities[k] = Bind(batch, k);
            else lock (empty) entities[k] = empty[k] ??= Bind(batch, k);
        }
        var top = TopNames.Select(name => ColumnBinding.Column(batch, name)).ToArray();
        var removed = RemovedNames.Select(name => ReadStrings(batch, name, logPath)).ToArray();
        var hints = ReadInts(batch, N.BaseRows, logPath);
        int expected = counts.Sum() + removed.Sum(r => r.Length);
        if (hints.Length != expected) throw Corrupt(logPath, $"a record has {hints.Length} base-row hints for {expected} rows and removals");
        var rowHints = new int[3][];
        var removedHints = new int[3][];
        int at = 0;
        for (int k = 0; k < 3; k++)
        {
            rowHints[k] = hints.AsSpan(at, counts[k]).ToArray();
            at += counts[k];
        }
        for (int k = 0; k < 3; k++)
        {
            removedHints[k] = hints.AsSpan(at, removed[k].Length).ToArray();
            at += removed[k].Length;
        }
        return new CommitRecord(top, g.GetValue(0)!.Value, entities, counts, removed, rowHints, removedHints);
    }

    private static string[] ReadStrings(RecordBatch batch, string name, string logPath)
    {
        if (ColumnBinding.Column(batch, name) is not ListArray { Values: StringArray values } list) throw Corrupt(logPath, $"a record has no '{name}' list");
        if (list.IsNull(0)) return System.Array.Empty<string>();
        int start = list.ValueOffsets[0], end = list.ValueOffsets[1];
        var result = new string[end - start];
        for (int i = 0; i < result.Length; i++)
            result[i] = values.IsNull(start + i) ? throw Corrupt(logPath, $"'{name}' holds a null id") : SafeStrings.Get(values, start + i);
        return result;
    }

    private static int[] ReadInts(RecordBatch batch, string name, string logPath)
    {
        if (ColumnBinding.Column(batch, name) is not ListArray { Values: Int32Array values } list) throw Corrupt(logPath, $"a record has no '{name}' list");
        if (list.IsNull(0)) return System.Array.Empty<int>();
        int start = list.ValueOffsets[0], end = list.ValueOffsets[1];
        var result = new int[end - start];
        for (int i = 0; i < result.Length; i++) result[i] = values.GetValue(start + i) ?? -1;
        return result;
    }

    private static ListArray StringList(ListType type, IEnumerable<string> values)
    {
        var items = new StringArray.Builder();
        foreach (var v in values) items.Append(v);
        return StateBatchBuilder.OneRowList(type, items.Build(ManagedMemoryAllocator.Instance));
    }

    private static ListArray IntList(ListType type, IEnumerable<int> values)
    {
        var items = new Int32Array.Builder();
        foreach (var v in values) items.Append(v);
        return StateBatchBuilder.OneRowList(type, items.Build(ManagedMemoryAllocator.Instance));
    }

    private static ClusterStateException Corrupt(string logPath, string why) =>
        new(ErrorIds.SnapshotCorrupt, ClusterStateErrorKind.InvalidData, $"The commit log '{logPath}' is damaged: {why}.", logPath);
}
