using System;
using System.Collections.Concurrent;

namespace ClusterState.Server;

/// <summary>
/// Bounds the long polls the server holds: <see cref="RequestLimits.MaxWaitsPerConnection"/> per
/// client connection (gRPC's peer, address and port) and <see cref="RequestLimits.MaxWaits"/> in
/// all. A poll over the bound is refused at once with ServerBusy rather than queued, so one
/// client cannot hold the server's capacity.
/// </summary>
public sealed class WaitSlots
{
    private readonly ConcurrentDictionary<string, int> _perPeer = new(StringComparer.Ordinal);
    private int _total;

    /// <summary>Takes a slot for <paramref name="peer"/>; dispose the result to give it back.</summary>
    public IDisposable Enter(string peer)
    {
        if (System.Threading.Interlocked.Increment(ref _total) > RequestLimits.MaxWaits)
        {
            System.Threading.Interlocked.Decrement(ref _total);
            throw Busy($"The server already holds {RequestLimits.MaxWaits} long polls; try again later.");
        }
        int mine = _perPeer.AddOrUpdate(peer, 1, (_, n) => n + 1);
        if (mine > RequestLimits.MaxWaitsPerConnection)
        {
            Leave(peer);
            throw Busy($"This connection already holds {RequestLimits.MaxWaitsPerConnection} long polls (wait); let one finish first.");
        }
        return new Slot(this, peer);
    }

    private void Leave(string peer)
    {
        _perPeer.AddOrUpdate(peer, 0, (_, n) => n - 1);
        _perPeer.TryRemove(new System.Collections.Generic.KeyValuePair<string, int>(peer, 0));
        System.Threading.Interlocked.Decrement(ref _total);
    }

    private static ClusterStateException Busy(string message) => new(ErrorIds.ServerBusy, ClusterStateErrorKind.ResourceUnavailable, message);

    private sealed class Slot(WaitSlots owner, string peer) : IDisposable
    {
        private int _left;

        public void Dispose()
        {
            if (System.Threading.Interlocked.Exchange(ref _left, 1) == 0) owner.Leave(peer);
        }
    }
}
