namespace ClusterState.Schema;

/// <summary>
/// The row numbers of an entity in the state's order: base rows, except that a row the log
/// replaced reads its log row in its place and a removed one is skipped, then the log's new
/// rows. Without a log, 0 .. count-1. A struct enumerable: <c>foreach</c> allocates nothing.
/// </summary>
internal readonly struct RowOrder(int baseCount, RowMerge? merge)
{
    public Enumerator GetEnumerator() => new(baseCount, merge);

    /// <summary>The rows as an array (a selection of every row).</summary>
    public int[] ToArray()
    {
        var rows = new int[merge?.Count ?? baseCount];
        int n = 0;
        foreach (int row in this) rows[n++] = row;
        return rows;
    }

    public struct Enumerator
    {
        private readonly int _baseCount;
        private readonly int[]? _masked;
        private readonly int[]? _deltaBase;
        private int _row;
        private int _m;
        private int _d;

        public Enumerator(int baseCount, RowMerge? merge)
        {
            _baseCount = baseCount;
            _masked = merge?.Masked;
            _deltaBase = merge?.DeltaBaseRows;
            _row = -1;
            _m = 0;
            _d = 0;
            Current = -1;
        }

        public int Current { get; private set; }

        public bool MoveNext()
        {
            if (_masked is null)
            {
                if (++_row >= _baseCount) return false;
                Current = _row;
                return true;
            }
            while (++_row < _baseCount)
            {
                if (_m < _masked.Length && _masked[_m] == _row)
                {
                    _m++;
                    // A replaced row: its log row stands in its place (replacements come first in the delta, by base row).
                    if (_d < _deltaBase!.Length && _deltaBase[_d] == _row)
                    {
                        Current = _baseCount + _d++;
                        return true;
                    }
                    continue;
                }
                Current = _row;
                return true;
            }
            _row = _baseCount;
            if (_d >= _deltaBase!.Length) return false;
            Current = _baseCount + _d++;
            return true;
        }
    }
}
