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
        string basePath = Path.Combine(directory, baseName);
        if (baseName == pinned.Snapshot) return null;

        // 1. The new base, written from the pinned generation with no lock held.
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
        var indexes = new[] { SnapshotIndexes.NodeIds(snapshot), SnapshotIndexes.TaskIds(snapshot), SnapshotIndexes.ContentIds(snapshot) };
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
        SnapshotCache.Offer(directory, basePath, prepared);
        // The records committed since the pin and published by now are carried over before the
        // lock is taken: a compaction of a busy state carries hundreds, and rewriting them under
        // the lock kept every committer waiting for it (the switch's 70-170 ms at the large scale).
        var carrier = new LogCarrier(directory, pinned.Log!, log, snapshot, ranks, indexes, ClusterSchema.BuildLog(folded.Schema, baseGeneration));
        if (StateMetadata.Read(directory) is { } published && published.Log == pinned.Log && published.Snapshot == pinned.Snapshot && published.LogLength > log.Length)
            carrier.CarryTo(published.LogLength);
        // The carried records decoded here too, off the commit path: this process's record decoder
        // then knows them, and the first opens after the switch (every committer here) merge them
        // without decoding hundreds of records while commits queue behind them.
        if (carrier.Count > 0) CommitLog.Read(carrier.Bytes(), Path.Combine(directory, CommitLog.FileName(baseGeneration)), decoded: true);
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
                if (current.Snapshot != pinned.Snapshot || current.Log != pinned.Log || current.LogLength < snapshot.Data.Log.Length) return null;
                var next = current.Clone();
                next.Supersede(current);
                next.Snapshot = baseName;
                next.Log = null;
                next.LogLength = 0;
                next.BaseGeneration = null;
                // Records after the published length are carried too: with group commit an acknowledged
                // record's metadata switch may not have survived a crash (see ClusterSnapshot.OpenToWrite).
                // Only those after what was carried before the lock are read here.
                long end = Math.Max(current.LogLength, Math.Min(new FileInfo(Path.Combine(directory, current.Log!)).Length, int.MaxValue));
                if (end > carrier.Carried) carrier.CarryTo(end);
                if (carrier.Count > 0)
                {
                    var carried = carrier.Bytes();
                    string logName = CommitLog.FileName(baseGeneration);
                    CommitLog.Write(Path.Combine(directory, logName), 0, carried, durable: true);
                    next.Log = logName;
                    next.LogLength = carried.Length;
                    next.BaseGeneration = baseGeneration;
                }
                StateStore.Publish(directory, next);
                switched = true;
            }
        }
        finally
        {
            if (!switched) SnapshotCache.Withdraw(directory, prepared);
        }
        StateStore.ScheduleCleanupOf(directory, baseGeneration);
        return baseGeneration;
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
