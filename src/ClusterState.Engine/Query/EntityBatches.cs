using ClusterState.Schema;
using System;
using System.Collections.Generic;
using System.Linq;
using Apache.Arrow;
using Apache.Arrow.Types;
using ClusterState.Storage;

namespace ClusterState;

/// <summary>
/// An entity of a snapshot as flat record batches, one row per item (the fields of its struct as
/// columns), for streaming (the Flight server); the schema carries the state's metadata and generation. All rows: zero-copy slices of the mapped columns.
/// Selected rows (a query's result): the rows are copied as bytes into new arrays, chunk by chunk.
/// </summary>
public static class EntityBatches
{
    /// <summary>The flat schema of an entity (nodes, tasks or content).</summary>
    public static Apache.Arrow.Schema SchemaOf(ClusterSnapshot snapshot, string entity) =>
        new(((StructType)Columns(snapshot, entity).Items.Data.DataType).Fields, FlightMetadata(snapshot));

    /// <summary>The schema metadata of every flight of a snapshot: the state's, with the generation it was read from.</summary>
    public static Dictionary<string, string> FlightMetadata(ClusterSnapshot snapshot)
    {
        var metadata = snapshot.Schema.Metadata is { } m ? new Dictionary<string, string>(m) : new Dictionary<string, string>();
        metadata[ClusterSchema.GenerationKey] = snapshot.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return metadata;
    }

    /// <summary>
    /// The entity's rows in batches of at most <paramref name="chunkRows"/> rows and, unless one
    /// row alone is larger, <paramref name="chunkBytes"/> bytes of Arrow data: every row when
    /// <paramref name="rows"/> is null, else those rows (entity row numbers, in order). An entity
    /// without rows yields one empty batch, so readers still see the schema.
    /// </summary>
    public static IEnumerable<RecordBatch> Batches(ClusterSnapshot snapshot, string entity, IReadOnlyList<int>? rows, int chunkRows, long chunkBytes = long.MaxValue)
    {
        if (chunkRows < 1) throw new ArgumentOutOfRangeException(nameof(chunkRows), chunkRows, "at least one row per batch");
        if (chunkBytes < 1) throw new ArgumentOutOfRangeException(nameof(chunkBytes), chunkBytes, "at least one byte per batch");
        var columns0 = Columns(snapshot, entity);
        if (columns0.Merge is not null)
        {
            foreach (var batch in MergedBatches(columns0, SchemaOf(snapshot, entity), rows, chunkRows, chunkBytes)) yield return batch;
            yield break;
        }
        var (items, start, count) = (columns0.Items, columns0.Start, columns0.Count);
        var schema = SchemaOf(snapshot, entity);
        int total = rows?.Count ?? count;
        if (total == 0)
        {
            yield return new RecordBatch(schema, items.Fields.Select(f => ArrowArrayFactory.Slice(f, start, 0)).ToList(), 0);
            yield break;
        }
        Func<int, int> rowAt = rows is null ? i => start + i : i => start + rows[i];
        var chunks = chunkBytes == long.MaxValue
            ? Enumerable.Range(0, (total + chunkRows - 1) / chunkRows).Select(k => (First: k * chunkRows, Count: Math.Min(chunkRows, total - k * chunkRows)))
            : new Query.RowBytes(items).Chunks(total, rowAt, chunkRows, chunkBytes);
        var sources = new IArrowArray?[1];
        foreach (var (at, n) in chunks)
        {
            List<IArrowArray> columns;
            if (rows is null) columns = items.Fields.Select(f => ArrowArrayFactory.Slice(f, start + at, n)).ToList();
            else
            {
                var plan = new ArrayInterleave.Take[n];
                for (int i = 0; i < n; i++) plan[i] = new ArrayInterleave.Take(0, start + rows[at + i]);
                columns = new List<IArrowArray>(items.Fields.Count);
                foreach (var field in items.Fields)
                {
                    sources[0] = field;
                    columns.Add(ArrayInterleave.Build(field.Data.DataType, sources, plan));
                }
            }
            yield return new RecordBatch(schema, columns, n);
        }
    }

    /// <summary>
    /// The chunks of a state with a commit log: rows in the state's order (or the query's rows),
    /// each taken from the base's items or the log rows' (EntityColumns.Locate), copied per chunk.
    /// </summary>
    private static IEnumerable<RecordBatch> MergedBatches(EntityColumns c, Apache.Arrow.Schema schema, IReadOnlyList<int>? rows, int chunkRows, long chunkBytes)
    {
        var order = rows?.ToArray() ?? c.Rows.ToArray();
        var items = c.Items;
        var all = c.Sources;
        if (order.Length == 0)
        {
            yield return new RecordBatch(schema, items.Fields.Select(f => ArrowArrayFactory.Slice(f, c.Start, 0)).ToList(), 0);
            yield break;
        }
        // Row sizes of each source, measured when a row of it is first met (a long log has thousands of records).
        var bytes = new Query.RowBytes?[all.Count];
        long SizeAt(int i)
        {
            var (source, row) = c.Locate(order[i]);
            return (bytes[source] ??= new Query.RowBytes((StructArray)all[source]!)).Of(row);
        }
        var sources = new IArrowArray?[all.Count];
        foreach (var (at, n) in Query.RowBytes.Chunks(order.Length, SizeAt, chunkRows, chunkBytes))
        {
            var plan = new ArrayInterleave.Take[n];
            for (int i = 0; i < n; i++)
            {
                var (source, row) = c.Locate(order[at + i]);
                plan[i] = new ArrayInterleave.Take(source, row);
            }
            // Only the sources this chunk takes rows from are given their fields (a long log has thousands).
            var inChunk = new HashSet<int>();
            foreach (var take in plan) inChunk.Add(take.Source);
            var columns = new List<IArrowArray>(items.Fields.Count);
            for (int f = 0; f < items.Fields.Count; f++)
            {
                foreach (int k in inChunk) sources[k] = ((StructArray?)all[k])?.Fields[f];
                columns.Add(ArrayInterleave.Build(items.Fields[f].Data.DataType, sources, plan));
            }
            yield return new RecordBatch(schema, columns, n);
        }
    }

    /// <summary>
    /// Row numbers (each once) in the state's order. Rows of a commit log are numbered after the
    /// base's, so numeric order is not the state's order once a state has a log.
    /// </summary>
    public static IReadOnlyList<int> InStateOrder(ClusterSnapshot snapshot, string entity, IEnumerable<int> rows) => Columns(snapshot, entity).InOrder(rows);

    private static EntityColumns Columns(ClusterSnapshot snapshot, string entity) => entity switch
    {
        ClusterSchema.Names.Nodes => snapshot.Nodes,
        ClusterSchema.Names.Tasks => snapshot.Tasks,
        ClusterSchema.Names.Content => snapshot.Content,
        _ => throw new ClusterStateException(ErrorIds.InvalidArgument, ClusterStateErrorKind.InvalidArgument, $"'{entity}' is not an entity of the state (nodes, tasks, content).", entity),
    };
}
