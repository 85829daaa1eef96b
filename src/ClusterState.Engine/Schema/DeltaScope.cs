using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace ClusterState.Schema;

/// <summary>
/// The log rows of a merged view (the latest version of every row the commit log wrote since the
/// base), read where they are: in the records that wrote them. Delta row d (row number
/// <see cref="Split"/> + d of the merged view) is row <c>Rows[d].Row</c> of part
/// <c>Rows[d].Part</c>, each part one record's list of the entity. Nothing is copied when a
/// generation is read, so a reread after a commit costs the new record, not the whole delta.
/// </summary>
internal sealed class DeltaScope
{
    private readonly Func<int, ColumnScope> _part;
    private readonly StrongBox<ColumnScope>?[] _parts;

    public DeltaScope(int partCount, Func<int, ColumnScope> part, (int Part, int Row)[] rows, int split)
    {
        _part = part;
        _parts = new StrongBox<ColumnScope>?[partCount];
        Rows = rows;
        Split = split;
    }

    /// <summary>Row numbers from this one on read the delta.</summary>
    public int Split { get; }

    /// <summary>Where each delta row lives: (part, row within the part's scope).</summary>
    public (int Part, int Row)[] Rows { get; }

    /// <summary>How many parts (records) the rows may come from.</summary>
    public int PartCount => _parts.Length;

    /// <summary>The scope of part <paramref name="p"/>, made on first use (a long log has thousands of parts, a read uses few).</summary>
    public ColumnScope Part(int p)
    {
        var box = Volatile.Read(ref _parts[p]);
        if (box is null)
        {
            box = new StrongBox<ColumnScope>(_part(p));
            Volatile.Write(ref _parts[p], box); // two threads may both make it: the same scope
        }
        return box.Value;
    }

    /// <summary>The same rows in scopes derived from each part's (a nested struct's fields).</summary>
    public DeltaScope Map(Func<ColumnScope, ColumnScope> derive) => new(PartCount, p => derive(Part(p)), Rows, Split);
}
