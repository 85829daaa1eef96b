using System.Collections.Generic;
using System.Globalization;
using Apache.Arrow;
using Apache.Arrow.Types;
using ClusterState.Schema;
using N = ClusterState.ClusterSchema.Names;

namespace ClusterState.Storage;

/// <summary>
/// Turns a base and the log records after it into batches (DESIGN.md §5): the top-level values
/// of a merged view, and the whole state folded into one batch — the snapshot a
/// single-file commit would have written at the last record's generation, in the same row
/// order, with every field's bytes carried over (fields this module does not know included).
/// </summary>
internal static class Compaction
{
    /// <summary>
    /// The state of merged <paramref name="entities"/> (nodes, tasks, content, as
    /// <see cref="CommitRecord.EntityNames"/> orders them) as one batch: each entity's rows copied
    /// in the state's order from the base's items and the log rows, every other column from
    /// <paramref name="top"/> (Top: the base's columns with the last record's top-level
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
            var items = ArrayInterleave.Build(listType.ValueDataType, c.Sources, plan);
            arrays.Add(StateBatchBuilder.OneRowList(listType, items));
        }
        return new RecordBatch(schema, arrays, 1);
    }

    /// <summary>
    /// The top-level values of a merged view: the base's batch with the cluster, master and
    /// update time of <paramref name="last"/>, the last record applied (the base's alone when none).
    /// Its entity lists are the base's; the log's rows are read through the entity columns.
    /// </summary>
    public static RecordBatch Top(RecordBatch baseBatch, CommitRecord? last)
    {
        if (last is null) return baseBatch;
        var schema = baseBatch.Schema;
        var arrays = new List<IArrowArray>(schema.FieldsList.Count);
        for (int i = 0; i < schema.FieldsList.Count; i++)
        {
            string name = schema.FieldsList[i].Name;
            arrays.Add(name is N.ClusterId or N.MasterId or N.UpdatedAt && last.Top(name) is { } value ? value : baseBatch.Column(i));
        }
        return new RecordBatch(schema, arrays, 1);
    }
}
