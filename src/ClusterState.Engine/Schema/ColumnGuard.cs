using System.Runtime.CompilerServices;
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

    /// <summary>
    /// Arrays validated before, by any guard: every generation of a base binds new columns over
    /// the same mapped arrays (a merged view per commit), and a pass over a million offsets per
    /// column and generation would make each commit and reread cost the size of the base.
    /// </summary>
    private static readonly ConditionalWeakTable<IArrowArray, Checked> Validated = new();

    /// <summary>A guard of <paramref name="array"/>, whose <paramref name="required"/> first rows are read; <paramref name="valid"/> when it was built from validated values (nothing to check).</summary>
    public ColumnGuard(IArrowArray array, int required, string column, bool children = true, bool valid = false)
    {
        _array = array;
        _required = required;
        _column = column;
        _children = children;
        _valid = valid ? 1 : 0;
    }

    /// <summary>The qualified column name (<c>tasks.input_cids</c>), for errors about its values.</summary>
    public string Column => _column;

    /// <summary>Throws SnapshotCorrupt when the column is damaged; free after the first success.</summary>
    public void Ensure()
    {
        if (Volatile.Read(ref _valid) != 0) return;
        if (!(Validated.TryGetValue(_array, out var done) && done.Required >= _required && (done.Children || !_children)))
        {
            ArrayValidation.Validate(_array, _required, _column, _children);
            Validated.AddOrUpdate(_array, new Checked(_required, _children));
        }
        Volatile.Write(ref _valid, 1);
    }

    /// <summary>What a validation of an array covered: its first <see cref="Required"/> rows, and its children's buffers too or not.</summary>
    private sealed record Checked(int Required, bool Children);
}
