using System;
using System.Threading;

namespace ClusterState.Schema;

/// <summary>
/// Where an entity's field table is looked up: the module's own table, or a copy put in force for
/// the current async flow. The copy exists for one reason: to prove that a field added to a table
/// alone travels through commits, exports, checkpoints and views (RuntimeFieldTests), with the
/// real store rather than a test double, while other tests run beside it on the module's table.
/// </summary>
internal sealed class TableSlot<T>(EntityFields<T> table)
    where T : class
{
    private readonly AsyncLocal<EntityFields<T>?> _override = new();

    /// <summary>The table in force: the module's own unless a flow has put a copy in force.</summary>
    public EntityFields<T> Current => _override.Value ?? table;

    /// <summary>Puts <paramref name="copy"/> in force for this async flow until the result is disposed.</summary>
    public IDisposable Use(EntityFields<T> copy)
    {
        var previous = _override.Value;
        _override.Value = copy;
        return new Restore(() => _override.Value = previous);
    }

    private sealed class Restore(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }
}
