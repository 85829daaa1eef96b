using System;
using System.Collections.Generic;

namespace ClusterState;

/// <summary>
/// The rows a query selected, in state order, and the literal ids it was asked for that the
/// state does not hold. Items are materialised one at a time as they are enumerated.
/// </summary>
/// <typeparam name="T">The row object type.</typeparam>
public sealed class QueryResult<T>
{
    private readonly Func<int, T> _read;

    private readonly int[] _rows;

    internal QueryResult(int[] rows, IReadOnlyList<string> missing, Func<int, T> read)
    {
        _rows = rows;
        Rows = rows;
        MissingIds = missing;
        _read = read;
    }

    /// <summary>Selected row numbers within the entity list.</summary>
    public IReadOnlyList<int> Rows { get; }

    /// <summary>Explicit ids (without wildcards) that matched nothing.</summary>
    public IReadOnlyList<string> MissingIds { get; }

    /// <summary>Number of selected rows.</summary>
    public int Count => Rows.Count;

    /// <summary>The same rows and missing ids, emitted as another kind of object (no copy of the selection).</summary>
    internal QueryResult<TOut> Project<TOut>(Func<int, TOut> read) => new(_rows, MissingIds, read);

    /// <summary>The selected rows as objects, created lazily.</summary>
    public IEnumerable<T> Items
    {
        get
        {
            foreach (int row in Rows) yield return _read(row);
        }
    }
}
