using System;
using System.Collections.Generic;
using System.Linq;
using Apache.Arrow;

namespace ClusterState.Schema;

/// <summary>
/// The slice of one entity list (<c>nodes</c>, <c>tasks</c> or <c>content</c>) in the one-row
/// batch: the struct array of its items and the range [start, start + Count) within it.
/// </summary>
internal abstract class EntityColumns
{
    protected EntityColumns(RecordBatch batch, string column)
    {
        Name = column;
        (Items, Start, BaseCount) = Bind(batch, column);
        Count = BaseCount;
        Base = Items.Offset + Start;
    }

    /// <summary>
    /// A merged view (DESIGN.md §5): the base's rows, minus those the commit log hid, plus the
    /// log's rows, read in place from <paramref name="parts"/> (each record's list of this entity;
    /// <paramref name="merge"/> says which part and row each id's latest version is). Row numbers
    /// from the base's count on read the log rows; <see cref="Rows"/> gives them all in the merged order.
    /// </summary>
    protected EntityColumns(RecordBatch batch, IReadOnlyList<EntityColumns>? parts, RowMerge? merge, string column)
        : this(batch, column)
    {
        if (parts is null || merge is null) return;
        if (merge.BaseCount != BaseCount)
            throw new ClusterStateException(ErrorIds.SnapshotCorrupt, ClusterStateErrorKind.InvalidData,
                $"The merged '{column}' rows do not match their base ({merge.BaseCount} base rows for {BaseCount}).", column);
        Merge = merge;
        Count = merge.Count;
        // Only the records that hold a log row that shows are parts, numbered as first met: a long
        // log has thousands of records, and every typed column keeps a slot per part.
        var delta = merge.Delta;
        var slot = new int[parts.Count];
        var used = new List<EntityColumns>();
        var rows = new (int Part, int Row)[delta.Length];
        for (int d = 0; d < delta.Length; d++)
        {
            var (p, r) = delta[d];
            if (slot[p] == 0)
            {
                used.Add(parts[p]);
                slot[p] = used.Count;
            }
            rows[d] = (slot[p] - 1, r);
        }
        _parts = used;
        _rows = rows;
        // The parts are log records validated when they were read (CommitRecord.Read).
        _delta = new DeltaScope(used.Count, p => new ColumnScope(used[p].Items, used[p].Items.Offset + used[p].Start, used[p].Count, column) { Trusted = true },
            rows, BaseCount);
    }

    private readonly DeltaScope? _delta;
    private readonly List<EntityColumns>? _parts;
    private readonly (int Part, int Row)[]? _rows;
    /// <summary>
    /// The arrays rows are taken from, as <see cref="Locate"/> numbers them: 0 the base's
    /// <see cref="Items"/>, then each log record's items.
    /// </summary>
    public IReadOnlyList<IArrowArray?> Sources => new EntitySources(Items, _parts);

    /// <summary>
    /// Where row <paramref name="row"/> lives as a take over <see cref="Sources"/> (rows are
    /// indexes into those arrays, their own offsets excluded).
    /// </summary>
    public (int Source, int Row) Locate(int row)
    {
        if (row < BaseCount) return (0, Start + row);
        var (p, r) = _rows![row - BaseCount];
        return (1 + p, _parts![p].Start + r);
    }

    /// <summary>The base row a row stands for: itself for a base row, the row a log row replaces, or -1 for a row new since the base.</summary>
    public int BaseRowOf(int row) => row < BaseCount ? row : Merge!.DeltaBaseRows[row - BaseCount];

    /// <summary>The entity list <paramref name="column"/> of a one-row batch: its items and the range of them it holds (checked, not its fields).</summary>
    internal static (StructArray Items, int Start, int Count) Bind(RecordBatch batch, string column)
    {
        var array = ColumnBinding.Column(batch, column);
        if (array is null)
            throw new ClusterStateException(ErrorIds.SchemaMismatch, ClusterStateErrorKind.InvalidData,
                $"The snapshot has no '{column}' column.", column);
        if (array is not ListArray { Values: StructArray items } list)
            throw ColumnBinding.Mismatch(column, "list<struct>", array.Data.DataType);
        if (list.Length != 1)
            throw new ClusterStateException(ErrorIds.SnapshotCorrupt, ClusterStateErrorKind.InvalidData,
                $"The snapshot holds {list.Length} rows; a cluster state has exactly one.", column);
        // The one-row list and the struct of its items, without their fields: O(1) whatever the
        // size of the state. Each field is validated when it is first used (ColumnGuard).
        ArrayValidation.Validate(list, 1, column, children: false);
        ArrayValidation.Validate(items, 0, column, children: false);
        if (list.IsNull(0)) return (items, 0, 0);
        var offsets = list.ValueOffsets;
        int start = offsets[0], count = offsets[1] - offsets[0];
        if (start < 0 || count < 0 || start + count > items.Length)
            throw new ClusterStateException(ErrorIds.SnapshotCorrupt, ClusterStateErrorKind.InvalidData,
                $"The '{column}' list points outside its values ({start}+{count} of {items.Length}).", column);
        return (items, start, count);
    }

    /// <summary>How the commit log changed the base's rows; null for a base read alone.</summary>
    public RowMerge? Merge { get; }

    /// <summary>Rows of the base (row numbers 0 .. BaseCount-1 read the base).</summary>
    public int BaseCount { get; }

    /// <summary>Row numbers in use: the base's, then the log rows' (size arrays indexed by row with it).</summary>
    public int RowSpace => BaseCount + (Merge?.Delta.Length ?? 0);

    /// <summary>Every row, in the state's order (the base's order, log rows in place of the rows they replace, new rows last).</summary>
    public RowOrder Rows => new(BaseCount, Merge);

    /// <summary>
    /// The rows of a scan done in two parts: <paramref name="baseRows"/>, base rows the scan
    /// kept in ascending order (rows the log hides are dropped here), and the log rows for which
    /// <paramref name="keepLogRow"/> is true; returned in the state's order.
    /// </summary>
    public int[] Combine(ReadOnlySpan<int> baseRows, Func<int, bool> keepLogRow)
    {
        if (Merge is null) return baseRows.ToArray();
        var keep = new bool[Merge.Delta.Length];
        for (int d = 0; d < keep.Length; d++) keep[d] = keepLogRow(BaseCount + d);
        return Combine(baseRows, keep);
    }

    /// <summary>
    /// <see cref="Combine(ReadOnlySpan{int}, Func{int, bool})"/> with the log rows' answers given
    /// (<paramref name="keepLogRow"/>[d] for log row d). A selective scan keeps few of the rows the
    /// log touches, so the walk goes from one kept row to the next: the hidden rows between two of
    /// the scan's base rows are skipped by a galloping search, the log rows it does not keep by one
    /// test each, and the base rows between two events are copied as one run (a failed-status scan
    /// of the large state keeps ~10,000 base rows where the log hides another 10,000).
    /// </summary>
    public int[] Combine(ReadOnlySpan<int> baseRows, ReadOnlySpan<bool> keepLogRow)
    {
        if (Merge is null) return baseRows.ToArray();
        ReadOnlySpan<int> masked = Merge.Masked, deltaBase = Merge.DeltaBaseRows;
        var result = new int[baseRows.Length + deltaBase.Length];
        int n = 0, i = 0, m = 0, d = 0;
        while (i < baseRows.Length)
        {
            // The next event: a hidden row (masked, ascending) at or after this base row, or the
            // place of a kept log row that replaces a base row (ascending; new rows, -1, come last).
            m = FirstAtLeast(masked, m, baseRows[i]);
            while (d < deltaBase.Length && deltaBase[d] >= 0 && !keepLogRow[d]) d++;
            int hidden = m < masked.Length ? masked[m] : int.MaxValue;
            int replaced = d < deltaBase.Length && deltaBase[d] >= 0 ? deltaBase[d] : int.MaxValue;
            int bound = Math.Min(hidden, replaced);
            int run = i;
            while (run < baseRows.Length && baseRows[run] < bound) run++;
            baseRows[i..run].CopyTo(result.AsSpan(n));
            n += run - i;
            i = run;
            if (i == baseRows.Length) break;
            if (replaced <= hidden)
            {
                // The log row stands where the row it replaces stood (that row is hidden).
                result[n++] = BaseCount + d++;
            }
            else
            {
                if (baseRows[i] == hidden) i++;
                m++;
            }
        }
        for (; d < deltaBase.Length; d++)
            if (keepLogRow[d]) result[n++] = BaseCount + d;
        return n == result.Length ? result : result.AsSpan(0, n).ToArray();
    }

    /// <summary>The first index at or after <paramref name="from"/> whose value is at least <paramref name="value"/> (ascending values), by doubling steps then a binary search.</summary>
    private static int FirstAtLeast(ReadOnlySpan<int> sorted, int from, int value)
    {
        if (from >= sorted.Length || sorted[from] >= value) return from;
        int low = from, step = 1;
        while (low + step < sorted.Length && sorted[low + step] < value)
        {
            low += step;
            step <<= 1;
        }
        int high = Math.Min(low + step, sorted.Length);
        // sorted[low] < value and the answer is in (low, high]; the values are distinct (row numbers).
        int found = sorted.Slice(low + 1, high - low - 1).BinarySearch(value);
        return low + 1 + (found >= 0 ? found : ~found);
    }


    /// <summary>
    /// Rows (each once) sorted into the state's order: a log row that replaces a base row sorts
    /// where that row was, a new one after every base row, in its log order.
    /// </summary>
    public int[] InOrder(IEnumerable<int> rows)
    {
        var result = new HashSet<int>(rows).ToArray();
        if (Merge is null)
        {
            System.Array.Sort(result);
            return result;
        }
        var keys = new long[result.Length];
        for (int i = 0; i < result.Length; i++)
        {
            int row = result[i];
            keys[i] = row < BaseCount ? row
                : Merge.DeltaBaseRows[row - BaseCount] is int replaced and >= 0 ? replaced
                : (long)BaseCount + row;
        }
        System.Array.Sort(keys, result);
        return result;
    }

    /// <summary>The sum of an integer field over every row (nulls as zero): the base summed straight, corrected by the log.</summary>
    public long Sum(IntegerColumn column)
    {
        long sum = column.Sum(BaseCount);
        if (Merge is null) return sum;
        foreach (int row in Merge.Masked) sum -= column.Get(row) ?? 0;
        for (int d = 0; d < Merge.Delta.Length; d++) sum += column.Get(BaseCount + d) ?? 0;
        return sum;
    }

    /// <summary>The column name (<c>nodes</c>, <c>tasks</c>, <c>content</c>).</summary>
    public string Name { get; }

    /// <summary>The struct array holding the base's items (a merged view's log rows are elsewhere).</summary>
    public StructArray Items { get; }

    /// <summary>Index of the base's first item in <see cref="Items"/>.</summary>
    public int Start { get; }

    /// <summary>Number of items (after the merge).</summary>
    public int Count { get; }

    /// <summary>Index of the first item in the children of <see cref="Items"/>.</summary>
    protected int Base { get; }

    /// <summary>
    /// The key field (<c>id</c>, <c>cid</c>). Other fields may be missing (an older schema reads
    /// them as null), the key may not: without it no row can be found, changed or kept apart.
    /// </summary>
    protected StringColumn Key(string name)
    {
        var key = new StringColumn(Scope, name);
        if (!key.IsPresent)
            throw new ClusterStateException(ErrorIds.SchemaMismatch, ClusterStateErrorKind.InvalidData,
                $"The '{Name}' items have no '{name}' field; the cluster-state schema keys them by it.", Name + "." + name);
        return key;
    }

    /// <summary>The key column (<c>id</c>, <c>cid</c>): what the commit log merges rows by.</summary>
    public abstract StringColumn Keys { get; }

    /// <summary>The fields of the items.</summary>
    protected ColumnScope Scope => new(Items, Base, BaseCount, Name) { Delta = _delta };
}
