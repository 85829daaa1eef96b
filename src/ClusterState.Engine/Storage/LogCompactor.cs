using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Apache.Arrow;
using ClusterState.Schema;

namespace ClusterState.Storage;

/// <summary>
/// Folds a state's commit log into a new base (DESIGN.md §5), off the commit path: the new base
/// is written from a pinned generation without the writer lock, then a short critical section
/// carries the records committed meanwhile over into the new base's log (their base-row hints
/// recomputed for it) and switches the metadata. Readers of the old base and log keep them
/// mapped; cleanup removes the files later. Safe to run from any process at any time: a switch
/// that finds another base or log than it started from gives up, leaving what it wrote to the cleanup.
/// </summary>
internal static class LogCompactor
{
    /// <summary>
    /// Compacts when the log holds at least <paramref name="minRecords"/> records or
    /// <paramref name="minBytes"/> bytes (0 and 0: whenever there is a log). Returns the
    /// generation of the new base, or null when there was nothing to do or another writer
    /// changed the base first.
    /// </summary>
    public static long? Run(string directory, long minBytes = 0, int minRecords = 0, TimeSpan? lockTimeout = null, Action<string>? progress = null)
    {
        directory = Path.GetFullPath(directory);
        var pinned = StateMetadata.Read(directory);
        if (pinned.Log is null) return null;
        using var snapshot = ClusterSnapshot.Open(directory);
        if (snapshot.Data.Log is not { } log || (log.Length < minBytes && snapshot.Data.CommitsSinceBase < minRecords)) return null;
        if (snapshot.Metadata?.Snapshot != pinned.Snapshot || snapshot.Metadata?.Log != pinned.Log) return null;

        long baseGeneration = snapshot.Generation;
        string baseName = StateStore.SnapshotFileName(baseGeneration);
        if (baseName == pinned.Snapshot) return null;

        // 1. The new base, written from the pinned generation with no lock held, on a thread of
        // lower priority: on two cores a compaction at full priority took a core from the
        // committers for seconds, and every commit queued behind the lock waited for it. Its
        // progress is reported on this thread (a cmdlet writes progress from its own thread only).
        var folded = BackgroundThread.Run(report => Fold(directory, pinned, snapshot, log, baseGeneration, report), progress);
        string logName = CommitLog.FileName(baseGeneration);
        string logPath = Path.Combine(directory, logName);
        bool switched = false;
        try
        {
            // 2. The switch, under the writer lock: records committed since the pin move to the new base's log.
            // A base that does not get switched to stays where it is: another compaction that pinned
            // the same generation wrote the same name, and may have switched to it already or be about
            // to (deleting it here once lost the live base). Readers never look at a base the metadata
            // does not name; the next compaction of this generation overwrites it, the cleanup after a
            // later switch removes it.
            progress?.Invoke("switch");
            using (WriterLock.Acquire(directory, lockTimeout ?? TimeSpan.FromSeconds(30)))
            {
                // Settled: the commits whose publication is still to come are published first, so the
                // switch's generation follows theirs (they find their records carried and return).
                var current = StateStore.Settle(directory);
                if (current.Snapshot != pinned.Snapshot || current.Log != pinned.Log || current.LogLength < log.Length) return null;
                var next = current.Clone();
                next.Supersede(current);
                next.Snapshot = baseName;
                next.Log = null;
                next.LogLength = 0;
                next.BaseGeneration = null;
                // Records after the published length are carried too: with group commit an acknowledged
                // record's metadata switch may not have survived a crash (see ClusterSnapshot.OpenToWrite).
                // Only those after what was carried before the lock are read here.
                var carrier = folded.Carrier;
                long end = Math.Max(current.LogLength, Math.Min(new FileInfo(Path.Combine(directory, current.Log!)).Length, int.MaxValue));
                if (end > carrier.Carried) carrier.CarryTo(end);
                if (carrier.Count > 0)
                {
                    var all = carrier.Bytes();
                    // Only what was carried under the lock is written now, after what was written before it.
                    int written = folded.Written.Length;
                    if (all.Length > written) CommitLog.Write(folded.PendingLog, written, all.AsSpan(written), durable: true);
                    File.Move(folded.PendingLog, logPath, overwrite: true);
                    next.Log = logName;
                    next.LogLength = all.Length;
                    next.BaseGeneration = baseGeneration;
                }
                StateStore.Publish(directory, next);
                switched = true;
            }
        }
        finally
        {
            if (!switched)
            {
                SnapshotCache.Withdraw(directory, folded.Base);
                AtomicFile.TryDelete(folded.PendingLog);
            }
            folded.Base.Release(); // the compaction's own reference; the cache holds the one it was offered
        }
        StateStore.ScheduleCleanupOf(directory, baseGeneration);
        return baseGeneration;
    }

    /// <summary>
    /// What the first part of a compaction leaves for the switch: the new base (offered to this
    /// process's cache, with a reference of the compaction's own on it), the carrier of the
    /// records committed since the pin, and the new base's log as written so far under a temporary
    /// name (<paramref name="PendingLog"/>, holding <paramref name="Written"/>; nothing when no
    /// record was carried yet).
    /// </summary>
    private sealed record Folded(SnapshotData Base, LogCarrier Carrier, string PendingLog, byte[] Written);

    /// <summary>Writes the new base of the pinned generation and prepares everything the switch needs, with no lock held.</summary>
    private static Folded Fold(string directory, StateMetadata pinned, ClusterSnapshot snapshot, LogContents log, long baseGeneration, Action<string>? progress)
    {
        string basePath = Path.Combine(directory, StateStore.SnapshotFileName(baseGeneration));
        progress?.Invoke("fold");
        snapshot.Data.ValidateAll();
        var folded = snapshot.RecordBatch;
        progress?.Invoke("write");
        // Written behind (flushed as it goes): hundreds of MiB flushed at once at the end would
        // queue the committers' small log flushes behind them for the length of that flush.
        StateStore.WriteSnapshot(basePath, folded, writeBehind: true);
        // Where each id of the pinned generation sits in the new base: its rank in the state's order.
        var ranks = Ranks(snapshot);
        // The pinned state's id indexes too: the switch finds the new-base row of every id the
        // carried records name through them, and building them (a million ids) under the lock
        // kept every committer waiting for it.
        var indexes = new[] { SnapshotIndexes.ForOneUse(snapshot, 0), SnapshotIndexes.ForOneUse(snapshot, 1), SnapshotIndexes.ForOneUse(snapshot, 2) };
        // The new base mapped, validated and given the indexes this process's commits use, then
        // offered to this process's cache: the first commits after the switch would otherwise
        // validate hundreds of MiB and index a million ids while holding the writer lock, and
        // every other committer would wait for them (a quarter of a second at the large scale).
        var prepared = SnapshotData.Load(basePath, null);
        try
        {
            prepared.ValidateAll();
            SnapshotIndexes.Warm(prepared, directory);
        }
        catch
        {
            prepared.Release();
            throw;
        }
        // The cache gets a reference of its own (added here): another compaction of this process may
        // offer its base in this one's place and so release the cache's, while this one still merges over it.
        prepared.AddReference();
        SnapshotCache.Offer(directory, basePath, prepared);
        // The new base's log is written under a temporary name before the switch and renamed by
        // it: a compaction that does not switch (another switched first) never touches a log by
        // the name a live base's log may have.
        string logPath = Path.Combine(directory, CommitLog.FileName(baseGeneration));
        string pendingLog = logPath + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            // The records committed since the pin and published by now are carried over before the
            // lock is taken: a compaction of a busy state carries hundreds, and rewriting them under
            // the lock kept every committer waiting for it (the switch's 70-170 ms at the large scale).
            var carrier = new LogCarrier(directory, pinned.Log!, log, snapshot, ranks, indexes, ClusterSchema.BuildLog(folded.Schema, baseGeneration));
            if (StateMetadata.Read(directory) is { } published && published.Log == pinned.Log && published.Snapshot == pinned.Snapshot && published.LogLength > log.Length)
                carrier.CarryTo(published.LogLength);
            if (carrier.Count == 0) return new Folded(prepared, carrier, pendingLog, []);
            // Those records written (durable) and merged over the new base here too, and offered
            // with it: the first opens after the switch (every committer of this process) then read
            // on from them instead of each merging hundreds of records while commits queue.
            var written = carrier.Bytes();
            CommitLog.Write(pendingLog, 0, written, durable: true);
            if (SnapshotData.Carried(prepared, logPath, pendingLog, written) is { } carried)
                SnapshotCache.OfferCarried(directory, prepared, logPath, written.Length, carried);
            return new Folded(prepared, carrier, pendingLog, written);
        }
        catch
        {
            SnapshotCache.Withdraw(directory, prepared);
            AtomicFile.TryDelete(pendingLog);
            prepared.Release();
            throw;
        }
    }

    /// <summary>For each row of the pinned state (base and log rows), its position in the new base; -1 for rows the log hid.</summary>
    private static int[][] Ranks(ClusterSnapshot s)
    {
        var entities = new EntityColumns[] { s.Nodes, s.Tasks, s.Content };
        return entities.Select(c =>
        {
            var rank = new int[c.RowSpace];
            System.Array.Fill(rank, -1);
            int n = 0;
            foreach (int row in c.Rows) rank[row] = n++;
            return rank;
        }).ToArray();
    }
}
