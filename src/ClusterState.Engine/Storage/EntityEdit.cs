using System;
using System.Collections.Generic;
using System.Linq;
using Apache.Arrow;
using Apache.Arrow.Types;
using ClusterState.Schema;
using Take = ClusterState.Storage.ArrayInterleave.Take;

namespace ClusterState.Storage;

/// <summary>
/// The rows of one entity list after a change set: each new row is an old row kept as it is
/// (source 0) or a patched/added item (source 1, an index into <see cref="Patch"/>). Only the
/// fields that actually changed are rebuilt; the others keep their old child arrays, whose bytes
/// the writer copies unchanged.
/// </summary>
internal sealed class EntityEdit<T>
    where T : class, new()
{
    private readonly Dictionary<int, int> _patchOfRow = new();

    private readonly List<int> _removedRows = new();
    private readonly List<int> _addedAt = new();
    private int _count;
    public List<T> Patch { get; } = new();
    /// <summary>For each patch item, the old row it came from (-1 for an added item).</summary>
    public List<int> PatchSource { get; } = new();
    public HashSet<string> ChangedFields { get; } = new(StringComparer.Ordinal);
    public int Added { get; private set; }
    public int Updated => _patchOfRow.Count;
    public int Removed { get; private set; }
    public bool RowsChanged => Added + Removed > 0;
    public bool Any => RowsChanged || Updated > 0;

    /// <summary>
    /// Plans removals, then updates in order, then additions, failing before anything is written.
    /// Removals and updates address ids exactly (<paramref name="find"/>); an added id must be
    /// unique ignoring case (<paramref name="findIgnoringCase"/>, see CaseFoldedIds). Every row of
    /// the entity's field table (<paramref name="fields"/>: Schema/NodeFields, TaskFields,
    /// ContentFields) is copied and compared through its accessor, so a new field's updates are
    /// never dropped.
    /// </summary>
    public static EntityEdit<T> Build(
        int count,
        Func<string, int> find,
        Func<string, int> findIgnoringCase,
        Func<int, T> read,
        Func<T, string> idOf,
        IReadOnlyList<string> removes,
        IEnumerable<(string Id, Action<T> Apply)> updates,
        IReadOnlyList<T> adds,
        EntityFields<T> fields,
        string what,
        string notFoundErrorId)
    {
        var edit = new EntityEdit<T> { _count = count };
        // The rows as read, beside the patch items made from them: what changed is asked of the pair.
        var originals = new List<T>();
        var removed = new HashSet<int>();
        foreach (var id in removes)
        {
            int row = find(id);
            if (row < 0 || !removed.Add(row)) throw NotFound(notFoundErrorId, what, id);
            edit._removedRows.Add(row);
        }
        foreach (var (id, apply) in updates)
        {
            int row = find(id);
            if (row < 0 || removed.Contains(row)) throw NotFound(notFoundErrorId, what, id);
            if (!edit._patchOfRow.TryGetValue(row, out int k))
            {
                k = edit.Patch.Count;
                var original = read(row);
                originals.Add(original);
                edit.Patch.Add(fields.Copy(original, new T()));
                edit.PatchSource.Add(row);
                edit._patchOfRow[row] = k;
            }
            apply(edit.Patch[k]);
        }
        var addedIds = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in adds)
        {
            string id = idOf(item);
            int existing = findIgnoringCase(id);
            if (existing >= 0 && !removed.Contains(existing))
            {
                string other = idOf(read(existing));
                throw new ClusterStateException(ErrorIds.DuplicateId, ClusterStateErrorKind.AlreadyExists,
                    other == id ? $"A {what} with id '{id}' already exists."
                        : $"A {what} with id '{other}' already exists; ids differing only in case are the same id to lookups, so '{id}' cannot be added.", id);
            }
            if (!addedIds.Add(id))
                throw new ClusterStateException(ErrorIds.DuplicateId, ClusterStateErrorKind.AlreadyExists,
                    $"The id '{id}' is added twice (ids are unique ignoring case).", id);
            edit._addedAt.Add(edit.Patch.Count);
            edit.Patch.Add(item);
            edit.PatchSource.Add(-1);
        }
        edit.Added = adds.Count;
        edit.Removed = removed.Count;
        foreach (var (row, k) in edit._patchOfRow)
        {
            fields.AddChanged(originals[k], edit.Patch[k], edit.ChangedFields);
        }
        return edit;
    }

    /// <summary>
    /// An edit of updates only, planned elsewhere (<see cref="TaskResourceEdit"/>): each item of
    /// <paramref name="items"/> replaces the row <paramref name="rows"/> names at the same index
    /// (distinct rows), and <paramref name="changed"/> names the fields the items changed.
    /// </summary>
    public static EntityEdit<T> Updating(int count, IReadOnlyList<int> rows, IReadOnlyList<T> items, IEnumerable<string> changed)
    {
        var edit = new EntityEdit<T> { _count = count };
        for (int k = 0; k < items.Count; k++)
        {
            edit._patchOfRow.Add(rows[k], k);
            edit.Patch.Add(items[k]);
            edit.PatchSource.Add(rows[k]);
        }
        edit.ChangedFields.UnionWith(changed);
        return edit;
    }

    /// <summary>
    /// The patch rows as <see cref="Record"/> needs them: every field when the edit adds rows (an
    /// added row has no stored row to copy from), otherwise only the fields an update changed —
    /// the rest are copied from the stored rows as bytes. A pipeline of ten thousand tasks that
    /// set one field encoded every string of every task again.
    /// </summary>
    public StructArray PatchRows(EntityFields<T> fields, int version) => fields.Build(Patch, version, Added > 0 ? null : ChangedFields);

    /// <summary>The rows removed (row numbers of the state the edit was planned on).</summary>
    public IReadOnlyList<int> RemovedRows => _removedRows;

    /// <summary>Each row of the new list: an old row kept (source 0) or a patch item (source 1); old rows in order, additions last.</summary>
    private List<Take> Plan()
    {
        var removed = new HashSet<int>(_removedRows);
        var plan = new List<Take>(_count + _addedAt.Count);
        for (int row = 0; row < _count; row++)
        {
            if (removed.Contains(row)) continue;
            plan.Add(_patchOfRow.TryGetValue(row, out int k) ? new Take(1, k) : new Take(0, row));
        }
        foreach (int k in _addedAt) plan.Add(new Take(1, k));
        return plan;
    }

    /// <summary>
    /// What a commit record holds for this edit (DESIGN.md §5): the patched and added rows in the
    /// state's own struct type — every field the patch built, and the old row's bytes for the
    /// fields this module does not know — the removed keys, and for both the base row each one
    /// stands for. <paramref name="old"/> is the (possibly merged) state the edit was planned on.
    /// </summary>
    public RecordEntity Record(EntityColumns old, StructArray patch)
    {
        var itemType = (StructType)old.Items.Data.DataType;
        var patchType = (StructType)patch.Data.DataType;
        var sources = old.Sources;
        var oldRows = new Take[Patch.Count];
        for (int k = 0; k < Patch.Count; k++)
            oldRows[k] = PatchSource[k] is int row and >= 0 ? ToTake(old.Locate(row)) : Take.Null;
        StructArray? previous = null;
        var children = new IArrowArray[itemType.Fields.Count];
        for (int f = 0; f < itemType.Fields.Count; f++)
        {
            var field = itemType.Fields[f];
            int p = patchType.GetFieldIndex(field.Name, StringComparer.Ordinal);
            IArrowArray? patchChild = p < 0 ? null : patch.Fields[p];
            if (patchChild is not null && !ArrowTypes.Same(field.DataType, patchChild.Data.DataType))
            {
                if (ChangedFields.Contains(field.Name) || AnyAddedValue(patchChild)) throw StoredDifferently(field, patchChild);
                patchChild = null;
            }
            // A field this module does not know (or stores differently): the old row's bytes, null for an added row.
            children[f] = patchChild ?? (previous ??= (StructArray)ArrayInterleave.Build(itemType, sources, oldRows)).Fields[f];
        }
        var rows = new StructArray(itemType, Patch.Count, children, ArrowBuffer.Empty, 0, 0);
        var hints = PatchSource.Select(row => row >= 0 ? old.BaseRowOf(row) : -1).ToArray();
        var removedIds = _removedRows.Select(row => old.Keys.Get(row) ?? "").ToArray();
        var removedHints = _removedRows.Select(old.BaseRowOf).ToArray();
        return new RecordEntity(rows, hints, removedIds, removedHints);
    }

    private static Take ToTake((int Source, int Row) at) => new(at.Source, at.Row);

    private static ClusterStateException StoredDifferently(Field field, IArrowArray patchChild) =>
        new(ErrorIds.SchemaMismatch, ClusterStateErrorKind.InvalidData,
            $"The state stores '{field.Name}' as {ArrowTypes.Describe(field.DataType)}; this module writes {ArrowTypes.Describe(patchChild.Data.DataType)}. Migrate the state first.", field.Name);

    /// <summary>The new list column of a single-file rewrite: the old one when nothing changed, else a struct array assembled field by field.</summary>
    public IArrowArray Apply(IArrowArray oldColumn, EntityColumns old, StructArray patch)
    {
        if (!Any) return oldColumn;
        var listType = (ListType)oldColumn.Data.DataType;
        var itemType = (StructType)listType.ValueDataType;
        var patchType = (StructType)patch.Data.DataType;
        var oldItems = old.Items;
        int rowBase = oldItems.Offset + old.Start; // child index of old row 0
        bool wholeChildren = old.Start == 0 && oldItems.Offset == 0 && oldItems.Length == old.Count;
        var plan = Plan().ToArray();
        var children = new IArrowArray[itemType.Fields.Count];
        for (int f = 0; f < itemType.Fields.Count; f++)
        {
            var field = itemType.Fields[f];
            var oldChild = oldItems.Fields[f];
            if (!RowsChanged && wholeChildren && !ChangedFields.Contains(field.Name))
            {
                children[f] = oldChild;
                continue;
            }
            int p = patchType.GetFieldIndex(field.Name, StringComparer.Ordinal);
            IArrowArray? patchChild = p < 0 ? null : patch.Fields[p];
            if (patchChild is not null && !ArrowTypes.Same(field.DataType, patchChild.Data.DataType))
            {
                // The state stores this field differently (e.g. the ipfs_kit_py variant's int8/int16).
                // Carrying the old values over is fine; writing new ones in our type is not.
                if (ChangedFields.Contains(field.Name) || AnyAddedValue(patchChild)) throw StoredDifferently(field, patchChild);
                patchChild = null;
            }
            var fieldPlan = new Take[plan.Length];
            for (int i = 0; i < plan.Length; i++)
            {
                var t = plan[i];
                if (t.Source == 0) fieldPlan[i] = new Take(0, rowBase + t.Row);
                else if (patchChild is not null) fieldPlan[i] = new Take(1, t.Row);
                else fieldPlan[i] = PatchSource[t.Row] is int from and >= 0 ? new Take(0, rowBase + from) : Take.Null; // a field this module does not know
            }
            children[f] = ArrayInterleave.Build(field.DataType, new IArrowArray?[] { oldChild, patchChild }, fieldPlan);
        }
        return StateBatchBuilder.OneRowList(listType, new StructArray(itemType, plan.Length, children, ArrowBuffer.Empty, 0, 0));
    }

    private bool AnyAddedValue(IArrowArray patchChild)
    {
        for (int k = 0; k < PatchSource.Count; k++)
        {
            if (PatchSource[k] < 0 && !patchChild.IsNull(k)) return true;
        }
        return false;
    }

    internal static ClusterStateException NotFound(string errorId, string what, string id) =>
        new(errorId, ClusterStateErrorKind.NotFound, $"No {what} with id '{id}' exists in the cluster state.", id);
}
