using System.Collections;
using System.Collections.Generic;
using Apache.Arrow;

namespace ClusterState.Schema;

/// <summary>
/// The arrays an entity's rows are taken from, as EntityColumns.Locate numbers them: 0 the base's
/// items, then each log record's. A view, not a list built per generation: a long log has
/// thousands of records, and a commit takes rows from two of them.
/// </summary>
internal sealed class EntitySources(StructArray items, IReadOnlyList<EntityColumns>? parts) : IReadOnlyList<IArrowArray?>
{
    public IArrowArray? this[int index] => index == 0 ? items : parts![index - 1].Items;

    public int Count => 1 + (parts?.Count ?? 0);

    public IEnumerator<IArrowArray?> GetEnumerator()
    {
        for (int i = 0; i < Count; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
