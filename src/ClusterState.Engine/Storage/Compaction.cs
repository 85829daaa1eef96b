using System.Collections.Generic;
using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Types;
using ClusterState.Schema;
using N = ClusterState.ClusterSchema.Names;

namespace ClusterState.Storage;

/// <summary>
/// Folds a base and the log records after it into one batch (DESIGN.md §5): the snapshot a
/// single-file commit path would have written at the last record's generation, in the same row
/// order, with every field's bytes carried over (fields this module does not know included).
/// </summary>
internal static class Compaction
{
    /// <summary>
    /// The batch of <paramref name="baseBatch"/> with the first <paramref name="applied"/> of
    /// <paramref name="records"/> merged in (<paramref name="merges"/> from
    /// <see cref="EntityMerge.Build"/>); the base itself when no record applies.
    /// </summary>
    public static RecordBatch Fold(RecordBatch baseBatch, IReadOnlyList<CommitRecord> records, RowMerge[] merges, int applied)
    {
        if (applied == 0) return baseBatch;
        var last = records[applied - 1];
        var bases = new EntityColumns[] { new NodeColumns(baseBatch), new TaskColumns(baseBatch), new ContentColumns(baseBatch) };
        var schema = baseBatch.Schema;
        var metadata = new Dictionary<string, string>(schema.Metadata ?? new Dictionary<string, string>())
        {
            [ClusterSchema.GenerationKey] = last.Generation.ToString(CultureInfo.InvariantCulture),
        };
        var arrays = new List<IArrowArray>();
        for (int i = 0; i < schema.FieldsList.Count; i++)
        {
            string name = schema.FieldsList[i].Name;
            int k = System.Array.IndexOf(CommitRecord.EntityNames, name);
            if (k >= 0)
            {
                var sources = new List<IArrowArray?> { bases[k].Items };
                for (int r = 0; r < applied; r++) sources.Add(records[r].Rows(k).Items);
                var listType = (ListType)schema.FieldsList[i].DataType;
                var order = EntityMerge.Order(merges[k], bases[k], records, k);
                var items = ArrayInterleave.Build(listType.ValueDataType, sources, order);
                var offsets = new ArrowBuffer.Builder<int>(2).Append(0).Append(order.Length).Build();
                arrays.Add(new ListArray(listType, 1, offsets, items, ArrowBuffer.Empty, 0, 0));
            }
            else if (name is N.ClusterId or N.MasterId or N.UpdatedAt && ColumnBinding.Column(last.Batch, name) is { } value)
            {
                arrays.Add(value); // the record's top-level values are those of its generation
            }
            else
            {
                arrays.Add(baseBatch.Column(i)); // a column a newer writer added: carried over
            }
        }
        return new RecordBatch(new Apache.Arrow.Schema(schema.FieldsList, metadata), arrays, 1);
    }

    /// <summary>
    /// The delta of a merged view: a one-row batch of the base's schema whose entity lists hold
    /// the log rows that show (<see cref="RowMerge.Delta"/>, copied out of the records: O(log)),
    /// with the top-level values of the last record applied.
    /// </summary>
    public static RecordBatch Delta(RecordBatch baseBatch, IReadOnlyList<CommitRecord> records, RowMerge[] merges, int applied)
    {
        var schema = baseBatch.Schema;
        var last = applied > 0 ? records[applied - 1] : null;
        var arrays = new List<IArrowArray>();
        for (int i = 0; i < schema.FieldsList.Count; i++)
        {
            string name = schema.FieldsList[i].Name;
            int k = System.Array.IndexOf(CommitRecord.EntityNames, name);
            if (k >= 0)
            {
                var listType = (ListType)schema.FieldsList[i].DataType;
                var sources = new List<IArrowArray?>();
                for (int r = 0; r < applied; r++) sources.Add(records[r].Rows(k).Items);
                var delta = merges[k].Delta;
                var plan = new ArrayInterleave.Take[delta.Length];
                for (int d = 0; d < delta.Length; d++) plan[d] = new(delta[d].Record, records[delta[d].Record].Rows(k).Start + delta[d].Row);
                var items = ArrayInterleave.Build(listType.ValueDataType, sources, plan);
                var offsets = new ArrowBuffer.Builder<int>(2).Append(0).Append(plan.Length).Build();
                arrays.Add(new ListArray(listType, 1, offsets, items, ArrowBuffer.Empty, 0, 0));
            }
            else if (last is not null && name is N.ClusterId or N.MasterId or N.UpdatedAt && ColumnBinding.Column(last.Batch, name) is { } value)
            {
                arrays.Add(value);
            }
            else
            {
                arrays.Add(baseBatch.Column(i));
            }
        }
        return new RecordBatch(schema, arrays, 1);
    }
}
