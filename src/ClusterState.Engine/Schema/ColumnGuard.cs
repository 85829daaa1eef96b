using System.Threading;
using Apache.Arrow;

namespace ClusterState.Schema;

/// <summary>
/// Validates one mapped column (<see cref="ArrayValidation"/>) the first time it is used, and
/// remembers success, so opening a snapshot stays O(1) in its size and a column costs one pass
/// over its offsets for the life of the snapshot's shared data. Thread-safe: two threads may both
/// validate a column the first time; the result is the same.
/// </summary>
internal sealed class ColumnGuard
{
    private readonly IArrowArray _array;
    private readonly int _required;
    private readonly string _column;
    private readonly bool _children;
    private int _valid;

    public ColumnGuard(IArrowArray array, int required, string column, bool children = true)
    {
        _array = array;
        _required = required;
        _column = column;
        _children = children;
    }

    /// <summary>The qualified column name (<c>tasks.input_cids</c>), for errors about its values.</summary>
    public string Column => _column;

    /// <summary>Throws SnapshotCorrupt when the column is damaged; free after the first success.</summary>
    public void Ensure()
    {
        if (Volatile.Read(ref _valid) != 0) return;
        ArrayValidation.Validate(_array, _required, _column, _children);
        Volatile.Write(ref _valid, 1);
    }
}
