using System.Collections.Generic;
using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Types;
using ClusterState.Schema;
using N = ClusterState.ClusterSchema.Names;

namespace ClusterState.Storage;

/// <summary>
/// Turns a base and the log records after it into batches (DESIGN.md §5): the delta a merged view
/// reads its log rows from, and the whole state folded into one batch — the snapshot a
/// single-file commit would have written at the last record's generation, in the same row
/// order, with every field's bytes carried over (fields this module does not know included).
/// </summary>
internal static class Compaction
{
    /// <summary>
    /// The state of merged <paramref name="entities"/> (nodes, tasks, content, as
    /// <see cref="CommitRecord.EntityNames"/> orders them) as one batch: each entity's rows copied
    /// in the state's order from the base's items and the log rows, every other column from
    /// <paramref name="top"/> (the delta: the base's columns with the last record's top-level
    /// values), and <paramref name="generation"/> in the schema's metadata.
    /// </summary>
    public static RecordBatch Fold(EntityColumns[] entities, RecordBatch top, long generation)
    {
        var schema = ClusterSchema.WithGeneration(top.Schema, generation);
        var arrays = new List<IArrowArray>();
        for (int i = 0; i < schema.FieldsList.Count; i++)
        {
            int k = System.Array.IndexOf(CommitRecord.EntityNames, schema.FieldsList[i].Name);
            if (k < 0)
            {
                arrays.Add(top.Column(i));
                continue;
            }
            var c = entities[k];
            var plan = new ArrayInterleave.Take[c.Count];
            int n = 0;
            foreach (int row in c.Rows)
            {
                var (source, at) = c.Locate(row);
                plan[n++] = new ArrayInterleave.Take(source, at);
            }
            var listType = (ListType)schema.FieldsList[i].DataType;
            var items = ArrayInterleave.Build(listType.ValueDataType, new IArrowArray?[] { c.Items, c.DeltaItems }, plan);
            arrays.Add(StateBatchBuilder.OneRowList(listType, items));
        }
        return new RecordBatch(schema, arrays, 1);
    }

    /// <summary>
    /// The delta of a merged view: a one-row batch of the base's schema whose entity lists hold
    /// the log rows that show (<see cref="RowMerge.Delta"/>, copied out of the records: O(log)),
    /// with the top-level values of the last record applied. Given the merged view of an earlier
    /// read of the same log (<paramref name="before"/>, of its first records), rows it already
    /// showed are copied from its delta, where they lie in the same order: a few long runs instead
    /// of a row from each of a thousand records.
    /// </summary>
    public static RecordBatch Delta(RecordBatch baseBatch, IReadOnlyList<CommitRecord> records, RowMerge[] merges, int applied, SnapshotData? before = null)
    {
        var beforeEntities = before is null ? null : new EntityColumns[] { before.Nodes, before.Tasks, before.Content };
        int beforeApplied = before?.AppliedRecords ?? 0;
        var schema = baseBatch.Schema;
        var last = applied > 0 ? records[applied - 1] : null;
        var arrays = new List<IArrowArray>();
        for (int i = 0; i < schema.FieldsList.Count; i++)
        {
            string name = schema.FieldsList[i].Name;
            int k = System.Array.IndexOf(CommitRecord.EntityNames, name);
            if (k >= 0 && before is not null && Untouched(records, beforeApplied, applied, k) && ColumnBinding.Column(before.TopBatch, name) is { } same)
            {
                // No new record wrote or removed a row of this entity: its delta is the earlier one.
                arrays.Add(same);
            }
            else if (k >= 0)
            {
                var listType = (ListType)schema.FieldsList[i].DataType;
                // Only the records the delta takes rows from are sources: a long log has thousands of
                // records, and every nested column of the interleave walks its list of sources.
                var sources = new List<IArrowArray?>();
                var slots = new Dictionary<int, int>();
                int Slot(int record)
                {
                    if (!slots.TryGetValue(record, out int slot))
                    {
                        slot = sources.Count;
                        sources.Add(records[record].Rows(k).Items);
                        slots.Add(record, slot);
                    }
                    return slot;
                }
                var delta = merges[k].Delta;
                var plan = new ArrayInterleave.Take[delta.Length];
                var earlier = beforeEntities?[k] is { Merge: { } m, DeltaItems: { } items } e ? (Rows: m.Delta, Start: e.DeltaStart, Source: sources.Count) : default;
                if (earlier.Rows is not null) sources.Add(beforeEntities![k].DeltaItems);
                // Both deltas list their rows in the state's order, and a row that shows now and came
                // from an earlier record showed then too: one walk along the earlier delta finds them.
                int p = 0;
                for (int d = 0; d < delta.Length; d++)
                {
                    var (record, row) = delta[d];
                    if (earlier.Rows is not null && record < beforeApplied)
                    {
                        while (p < earlier.Rows.Length && earlier.Rows[p] != delta[d]) p++;
                        if (p < earlier.Rows.Length)
                        {
                            plan[d] = new(earlier.Source, earlier.Start + p);
                            continue;
                        }
                    }
                    plan[d] = new(Slot(record), records[record].Rows(k).Start + row);
                }
                arrays.Add(StateBatchBuilder.OneRowList(listType, ArrayInterleave.Build(listType.ValueDataType, sources, plan)));
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

    private static bool Untouched(IReadOnlyList<CommitRecord> records, int from, int to, int k)
    {
        for (int r = from; r < to; r++)
            if (records[r].Rows(k).Count > 0 || records[r].Removed(k).Length > 0) return false;
        return true;
    }
}
