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
        new(((StructType)Items(snapshot, entity).Items.Data.DataType).Fields, FlightMetadata(snapshot));

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
        var (items, start, count) = Items(snapshot, entity);
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

    private static (StructArray Items, int Start, int Count) Items(ClusterSnapshot snapshot, string entity)
    {
        if (entity is not (ClusterSchema.Names.Nodes or ClusterSchema.Names.Tasks or ClusterSchema.Names.Content))
            throw new ClusterStateException(ErrorIds.InvalidArgument, ClusterStateErrorKind.InvalidArgument, $"'{entity}' is not an entity of the state (nodes, tasks, content).", entity);
        var list = (ListArray)snapshot.RecordBatch.Column(entity);
        return ((StructArray)list.Values, list.ValueOffsets[0], list.GetValueLength(0));
    }
}
