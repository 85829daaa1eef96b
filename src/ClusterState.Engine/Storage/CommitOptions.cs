using System;

namespace ClusterState;

/// <summary>Knobs of a commit.</summary>
public sealed class CommitOptions
{
    /// <summary>How long to wait for another writer's lock.</summary>
    public TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>The commit time (default: now); timestamps set by the commit use it.</summary>
    public DateTime? Now { get; set; }
    /// <summary>Flush the new snapshot and metadata to the disk before returning (default true).</summary>
    public bool Durable { get; set; } = true;

    /// <summary>
    /// Group commit (default true): a commit appends its record under the writer lock and
    /// releases it; the flush of the log and the metadata switch follow under a second lock, by
    /// the first writer to get there for every record appended so far (LogPublisher) — writers
    /// queued on the lock share flushes and switches instead of taking turns at them, and the
    /// next writers append meanwhile. The commit still returns only once its record is durable
    /// and published. False flushes the record and switches the metadata while holding the writer
    /// lock (one writer's flush at a time; for measuring the difference).
    /// </summary>
    public bool GroupCommit { get; set; } = true;
    /// <summary>Snapshots older than the newest this many are deleted when no reader can need them.</summary>
    public int KeepSnapshots { get; set; } = 3;

    /// <summary>
    /// After a commit whose log reaches this many bytes, the committing process folds the log
    /// into a new base in the background (DESIGN.md §5); 0 never does. See docs/PERFORMANCE.md
    /// for how reads slow down as a log grows.
    /// </summary>
    public long CompactLogBytes { get; set; } = 64L << 20;

    /// <summary>The same, counted in records (commits) since the base; 0 never does.</summary>
    public int CompactLogRecords { get; set; } = 4096;

    /// <summary>
    /// After a commit that leaves this many records after the log's summary (or its start), the
    /// committing process summarises the log in the background (docs/FORMAT.md "The log
    /// summary"), so that opening the state decodes the summary and at most about this many
    /// records instead of all of them; 0 never does.
    /// </summary>
    public int SummarizeLogRecords { get; set; } = 64;
}
