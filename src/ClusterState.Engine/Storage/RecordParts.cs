using System.Collections;
using System.Collections.Generic;
using ClusterState.Schema;

namespace ClusterState.Storage;

/// <summary>
/// One entity's list in each of the first <paramref name="count"/> log records: the parts a merged
/// view reads its log rows from (EntityColumns, DeltaScope), without a list built per generation.
/// </summary>
internal sealed class RecordParts(IReadOnlyList<CommitRecord> records, int count, int entity) : IReadOnlyList<EntityColumns>
{
    public EntityColumns this[int index] => index >= 0 && index < count ? records[index].Rows(entity) : throw new System.ArgumentOutOfRangeException(nameof(index));

    public int Count => count;

    public IEnumerator<EntityColumns> GetEnumerator()
    {
        for (int i = 0; i < count; i++) yield return records[i].Rows(entity);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
