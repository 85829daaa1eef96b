using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace ClusterState.Schema;

/// <summary>
/// One typed column over the parts of a <see cref="DeltaScope"/>: the column of each part is made
/// on first use and kept.
/// </summary>
internal sealed class DeltaColumns<T>(DeltaScope delta, Func<ColumnScope, T> make)
    where T : struct
{
    private readonly StrongBox<T>?[] _columns = new StrongBox<T>?[delta.PartCount];

    /// <summary>Row numbers from this one on read the delta.</summary>
    public int Split => delta.Split;

    /// <summary>Where each delta row lives: (part, row within the part).</summary>
    public (int Part, int Row)[] Rows => delta.Rows;

    /// <summary>How many parts the rows may come from.</summary>
    public int PartCount => delta.PartCount;

    /// <summary>The column of part <paramref name="p"/> and how many rows the part has (for scans of a part's own buffers).</summary>
    public ref readonly T Part(int p, out int rows)
    {
        rows = delta.Part(p).Count;
        var box = Volatile.Read(ref _columns[p]);
        if (box is null)
        {
            box = new StrongBox<T>(make(delta.Part(p)));
            Volatile.Write(ref _columns[p], box);
        }
        return ref box.Value;
    }

    /// <summary>The column holding merged row <paramref name="row"/> (at least <see cref="Split"/>), and the row within it.</summary>
    public ref readonly T At(int row, out int at)
    {
        var (p, r) = delta.Rows[row - delta.Split];
        at = r;
        var box = Volatile.Read(ref _columns[p]);
        if (box is null) return ref Part(p, out _);
        return ref box.Value;
    }
}
