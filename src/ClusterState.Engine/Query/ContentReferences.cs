using ClusterState.Storage;
using ClusterState.Schema;

namespace ClusterState.Query;

/// <summary>
/// Which content rows tasks refer to (SPEC.md §3): any task's input_cid/input_cids, and the
/// output_cid/output_cids of completed tasks only. Content nobody refers to is orphaned.
/// One pass over the task columns, joined to the content index on raw bytes.
/// </summary>
internal static class ContentReferences
{
    public static bool[] Referenced(ClusterSnapshot snapshot) => snapshot.Data.GetOrAdd("aggregates:content-referenced", _ =>
    {
        var index = SnapshotIndexes.ContentIds(snapshot);
        var tasks = snapshot.Tasks;
        var referenced = new bool[snapshot.Content.RowSpace]; // indexed by content row
        foreach (int t in tasks.Rows)
        {
            Mark(index, referenced, tasks.InputCid, t);
            MarkList(index, referenced, tasks.InputCids, t);
            if (TaskStatusBytes.Classify(tasks.Status.GetBytes(t)) == TaskState.Completed)
            {
                Mark(index, referenced, tasks.OutputCid, t);
                MarkList(index, referenced, tasks.OutputCids, t);
            }
        }
        return referenced;
    });

    private static void Mark(Utf8KeyIndex index, bool[] referenced, StringColumn column, int row)
    {
        if (column.IsNull(row)) return;
        int hit = index.Find(column.GetBytes(row));
        if (hit >= 0) referenced[hit] = true;
    }

    private static void MarkList(Utf8KeyIndex index, bool[] referenced, StringListColumn column, int row)
    {
        var elements = column.Elements(row);
        for (int k = 0; k < elements.Count; k++)
        {
            int hit = index.Find(elements[k]);
            if (hit >= 0) referenced[hit] = true;
        }
    }
}
