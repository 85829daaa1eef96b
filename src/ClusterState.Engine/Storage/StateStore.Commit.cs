using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Apache.Arrow;
using ClusterState.Schema;
using ClusterState.Storage;
using N = ClusterState.ClusterSchema.Names;

namespace ClusterState;

public static partial class StateStore
{
    /// <summary>Commits a change set: all of it or nothing (DESIGN.md §5).</summary>
    public static CommitResult Commit(string directory, ChangeSet changes, CommitOptions? options = null) =>
        Commit(directory, _ => changes, options);

    /// <summary>
    /// Commits the change set that <paramref name="plan"/> computes from the current snapshot while
    /// the writer lock is held, so decisions that depend on the state (placement, increments) see
    /// exactly the generation they change. Writers in every process serialise on the lock file;
    /// readers never wait. The new snapshot is written completely and flushed before
    /// state_metadata.json is switched to it by an atomic rename; the generation grows by one.
    /// </summary>
    public static CommitResult Commit(string directory, Func<ClusterSnapshot, ChangeSet> plan, CommitOptions? options = null)
    {
        options ??= new CommitOptions();
        directory = Path.GetFullPath(directory);
        var clock = Stopwatch.StartNew();
        if (!File.Exists(Path.Combine(directory, StateMetadata.FileName)))
            throw new ClusterStateException(ErrorIds.StateNotFound, ClusterStateErrorKind.NotFound,
                $"'{directory}' is not a cluster state: it has no {StateMetadata.FileName}.", directory);
        bool repeated = CommitsHere.AddOrUpdate(directory, 1, (_, n) => n + 1) > 1;
        var (peekedBase, readAhead) = Peek(directory, repeated);
        var peeked = clock.Elapsed;
        // The locked part runs where the lock is handed over (WriterLock.Run), and the lock is
        // released when it returns. Group commit: the record is then flushed and published with
        // the writer lock released, by this writer or one queued behind it (LogPublisher).
        // While queued, the records other writers append are decoded (LogReadAhead).
        (CommitResult Result, AppendedRecord? Appended, Action? Background)? outcome;
        using (readAhead)
            outcome = WriterLock.Run(directory, options.LockTimeout, () => CommitLocked(directory, plan, options, clock, repeated, peekedBase),
                whileQueued: readAhead is null ? null : readAhead.Poll, every: LogReadAhead.Every);
        if (outcome is null)
        {
            // A compaction switched the base while this writer was queued: reading the new base's
            // log (every record committed during the compaction, hundreds) under the lock kept the
            // writers queued behind it waiting for a quarter of a second. Read it now, lock released,
            // and queue again (once: then the open under the lock reads only what came since).
            using var again = Peek(directory, repeated).ReadAhead;
            outcome = WriterLock.Run(directory, options.LockTimeout, () => CommitLocked(directory, plan, options, clock, repeated, null),
                whileQueued: again is null ? null : again.Poll, every: LogReadAhead.Every);
        }
        var (result, appended, background) = outcome!.Value;
        var phases = (Dictionary<string, double>)result.PhaseMilliseconds;
        phases["peek"] = peeked.TotalMilliseconds;
        if (appended is not null)
        {
            var publish = Stopwatch.StartNew();
            LogPublisher.Publish(appended, options.LockTimeout);
            phases["publish-unlocked"] = publish.Elapsed.TotalMilliseconds;
        }
        // After the publication: a compaction pins the published generation, this one included.
        background?.Invoke();
        result.Elapsed = clock.Elapsed;
        return result;
    }

    /// <summary>
    /// Opens the state as it is before the lock is taken, so that what the commit needs of the
    /// current base is ready and no other writer waits for it: the base validated once per
    /// process (a pass over every offset, half a second at the large scale), the log's records
    /// read, and, for a process that commits here again, the ids' indexes (built once per base,
    /// shared by every generation of it, the log's ids overlaid). The state read here is the one
    /// the locked open finds cached, unless a writer came between. Returns the base's file name
    /// (null when the open failed: the open under the lock reports it, and decides), and the
    /// read-ahead of the log from where this read stopped (null when it has none).
    /// </summary>
    private static (string? Base, LogReadAhead? ReadAhead) Peek(string directory, bool repeated)
    {
        try
        {
            using var peek = ClusterSnapshot.Open(directory);
            peek.Data.ValidateAll();
            if (repeated) SnapshotIndexes.Warm(peek);
            return (peek.Metadata?.Snapshot, LogReadAhead.After(peek));
        }
        catch (ClusterStateException)
        {
            return (null, null); // the open under the lock reports it, or reads past it (records a crash left unpublished)
        }
    }

    /// <summary>
    /// The commit while the writer lock is held: returns its result and, when the record still
    /// has to be made durable and published after the lock is released, the record and the
    /// schema message of its log. Null, with nothing done, when the base is no longer
    /// <paramref name="expectedBase"/> (when given): the caller reads the new one unlocked first.
    /// </summary>
    private static (CommitResult Result, AppendedRecord? Appended, Action? Background)? CommitLocked(string directory, Func<ClusterSnapshot, ChangeSet> plan, CommitOptions options, Stopwatch clock, bool repeated,
        string? expectedBase)
    {
        var lockWait = clock.Elapsed;
        // Sized for every phase a commit notes (lock, open, plan, build, write, publish, peek, publish-unlocked): it grew three times per commit.
        var phases = new Dictionary<string, double>(8, StringComparer.Ordinal) { ["lock"] = lockWait.TotalMilliseconds };
        var phase = Stopwatch.StartNew();
        void Mark(string name)
        {
            phases[name] = phase.Elapsed.TotalMilliseconds;
            phase.Restart();
        }
        var metadata = StateMetadata.Read(directory);
        if (expectedBase is not null && metadata.Snapshot != expectedBase) return null;
        using var current = ClusterSnapshot.OpenToWrite(directory, metadata);
        // Records after the published length (a crash between append and switch) are part of
        // what this commit follows and publishes: its generation follows theirs.
        long generation = StateMetadata.Next(Math.Max(metadata.Generation, current.Generation), directory);
        // The new batch carries the current columns over and the plan reads rows of them: refuse a
        // damaged snapshot here (SnapshotCorrupt, nothing written) rather than copy its damage
        // into the next generation or let a wild offset drive a copy of gigabytes.
        current.Data.ValidateAll();
        Mark("open");
        var changes = plan(current);
        if (changes.ExpectedGeneration is long expected && expected != generation - 1)
            throw new ClusterStateException(ErrorIds.GenerationConflict, ClusterStateErrorKind.Conflict,
                $"The state is at generation {generation - 1}, not the expected {expected}: another writer committed first. Read the state again and retry.", generation - 1);

        ChangeRules.CheckIds(changes);
        var requeue = RemovedNodeTasks.Plan(current, changes);
        if (requeue.Count > 0) changes = RemovedNodeTasks.With(changes, requeue);
        if (changes.IsEmpty)
        {
            // Nothing to change (a placement that placed nothing, a remote "{}"): no new generation,
            // no record — watchers would report a commit that changed nothing.
            return (new CommitResult
            {
                PreviousGeneration = metadata.Generation,
                Generation = metadata.Generation,
                Snapshot = metadata.Snapshot,
                CommittedAt = metadata.UpdatedAt,
                LockWait = lockWait,
                Elapsed = clock.Elapsed,
                PhaseMilliseconds = phases,
            }, null, null);
        }

        var now = Truncate(options.Now ?? DateTime.UtcNow);
        var nodes = PlanNodes(current, changes, repeated);
        var nodeExists = NodeLookup(current, nodes);
        var tasks = PlanTasks(current, changes, now, nodeExists, repeated);
        var content = PlanContent(current, changes, repeated);
        Mark("plan");

        // DESIGN.md §5: the commit appends one record to the log of the current base — the rows
        // it wrote, complete, and the ids it removed — instead of rewriting the state.
        var logSchema = LogSchema(current);
        var parts = new[]
        {
            nodes.Record(current.Nodes, nodes.PatchRows(Schema.NodeFields.Table, current.SchemaVersion)),
            tasks.Record(current.Tasks, tasks.PatchRows(Schema.TaskFields.Table, current.SchemaVersion)),
            content.Record(current.Content, content.PatchRows(Schema.ContentFields.Table, current.SchemaVersion)),
        };
        var record = CommitRecord.Build(logSchema, generation, current.ClusterId, current.MasterId, now, parts);
        var bytes = CommitLog.Serialize(record);
        // A base whose schema is not this module's own (another writer's fields, or damage that the
        // lazy column checks have not met yet) can make a record Arrow cannot read back: such a
        // record is decoded before it is written, and refused as SnapshotCorrupt if it fails.
        if (!current.Data.HasOwnSchema) CommitLog.CheckReadable(logSchema, bytes, Path.Combine(directory, metadata.Log ?? CommitLog.FileName(current.Generation)));
        Mark("build");
        var (logLength, appended) = AppendToLog(directory, metadata, current, bytes, generation, now, options, Mark);
        Action? background = null;
        if ((options.CompactLogBytes > 0 && logLength >= options.CompactLogBytes)
            || (options.CompactLogRecords > 0 && current.Data.CommitsSinceBase + 1 >= options.CompactLogRecords))
            background = () => InBackground(Compacting, directory, "Compaction", () => LogCompactor.Run(directory));
        else if (options.SummarizeLogRecords > 0 && generation - (LogSummary.Reach(metadata) ?? generation) >= options.SummarizeLogRecords)
            background = () => InBackground(Summarizing, directory, "Summary of the log", () => LogSummary.Write(directory, options.LockTimeout));
        else if (bytes.Length >= ReadBackRecordBytes)
            background = () => InBackground(ReadingBack, directory, "Reading the new generation", () => Peek(directory, repeated).ReadAhead?.Dispose());
        return (new CommitResult
        {
            PreviousGeneration = generation - 1,
            Generation = generation,
            Snapshot = metadata.Snapshot,
            CommittedAt = now,
            Added = nodes.Added + tasks.Added + content.Added,
            Updated = nodes.Updated + tasks.Updated + content.Updated,
            Removed = nodes.Removed + tasks.Removed + content.Removed,
            LockWait = lockWait,
            Elapsed = clock.Elapsed,
            PhaseMilliseconds = phases,
        }, appended, background);
    }

    /// <summary>
    /// Appends a record to the log of the current base and publishes the generation it makes.
    /// The log is written at the end of its last good record (a torn tail or a record that failed
    /// its checks is cut off there) and made durable before the metadata points past it: a crash
    /// before the switch leaves bytes no reader reads, a crash after it an acknowledged commit.
    /// The caller holds the writer lock.
    /// </summary>
    private static (long Length, AppendedRecord? Appended) AppendToLog(string directory, StateMetadata metadata, ClusterSnapshot current, byte[] record, long generation, DateTime now,
        CommitOptions options, Action<string> mark)
    {
        var next = metadata.Clone();
        string logName;
        long offset;
        byte[] bytes;
        if (current.Data.Log is { } log && metadata.Log is { } name)
        {
            logName = name;
            offset = log.Length; // the last good record's end (the published length unless damage cut it)
            bytes = record;
        }
        else
        {
            // The first commit on this base starts its log: the schema message, then the record.
            logName = CommitLog.FileName(current.Generation);
            offset = 0;
            bytes = [.. CommitLog.Header(LogSchema(current)), .. record];
        }
        string logPath = Path.Combine(directory, logName);
        // With group commit the record is flushed and published after the writer lock is released
        // (LogPublisher): the metadata switch, a new file and a rename that on ext4 waits for the
        // journal while other writers flush, was half of the time a commit held the lock. The log
        // is what makes a commit durable — a writer adopts good records after the published length
        // (OpenToWrite) — so a switch a crash undid loses nothing. Not the first record of a log:
        // until the metadata names the file, nothing finds it.
        // Nor a record written where damage was cut off (before the published length, which its
        // switch moves back to the last good record): writers queued behind it must follow that.
        bool later = options.GroupCommit && offset > 0 && offset >= metadata.LogLength;
        CommitLog.Write(logPath, offset, bytes, options.Durable && !later);
        mark("write");
        if (later)
        {
            // The header is a slice of the log as read into memory (records outlive any mapping): no copy.
            return (offset + bytes.Length, new AppendedRecord(directory, logName, offset, bytes, generation, now, options.Durable, current.Data.Log!.Header));
        }
        next.Generation = generation;
        next.UpdatedAt = now;
        next.Log = logName;
        next.LogLength = offset + bytes.Length;
        next.BaseGeneration = current.Data.BaseData?.Generation ?? current.Generation;
        // The record is also the change feed's entry (ChangeFeed): a watcher that sees the new
        // generation reads it from the log; nothing else is written.
        try
        {
            Publish(directory, next, options.Durable);
        }
        catch
        {
            // Not published: the record goes (a crash here leaves it beyond the published length,
            // where no reader looks and the next commit writes over it).
            CommitLog.Cut(logPath, offset);
            throw;
        }
        mark("publish");
        return (next.LogLength, null);
    }

    /// <summary>
    /// The schema of the current base's log, built once per base and kept with it: every commit on
    /// the base needs it, and building it (a new Arrow schema and its field lookup) was a
    /// thirtieth of the time a commit holds the writer lock.
    /// </summary>
    private static Apache.Arrow.Schema LogSchema(ClusterSnapshot current)
    {
        long baseGeneration = current.Data.BaseData?.Generation ?? current.Generation;
        var schema = current.Data.Batch.Schema;
        return (current.Data.BaseData ?? current.Data).GetOrAdd($"schema:log:{baseGeneration}", _ => ClusterSchema.BuildLog(schema, baseGeneration));
    }

    /// <summary>How many commits this process made on each state directory.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> CommitsHere = new(StringComparer.Ordinal);

    private static readonly HashSet<string> Compacting = new(StringComparer.Ordinal);
    private static readonly HashSet<string> Summarizing = new(StringComparer.Ordinal);
    private static readonly HashSet<string> ReadingBack = new(StringComparer.Ordinal);

    /// <summary>
    /// A record this large (a pipeline's: ten thousand tasks make about 4.5 MiB) is read back in the
    /// background once published: the next command of this process opens the generation it made,
    /// and decoding and merging the record there took a fifth of a 10,000-task pipeline commit
    /// (about 10 ms at the large scale), on the one thread PowerShell runs, while the second core
    /// idled as the next pipeline bound its input. A single-row record (a few KiB) is cheaper
    /// to read when needed than to schedule.
    /// </summary>
    internal const int ReadBackRecordBytes = 256 << 10;

    /// <summary>
    /// Compacts, summarises or reads back in the background, off the commit that asked for it (one
    /// of each per state at a time in this process; other processes that find the log long may
    /// run theirs, and the one that switches second finds another base or a newer summary and
    /// gives up). A failure is left for the next commit to retry: the state is whole either way.
    /// </summary>
    private static void InBackground(HashSet<string> running, string directory, string what, Action work)
    {
        lock (running)
        {
            if (!running.Add(directory)) return;
        }
        System.Threading.Tasks.Task.Run(() =>
        {
            try
            {
                work();
            }
#pragma warning disable CA1031 // background work must never take the process down; the next commit tries again
            catch (Exception e)
#pragma warning restore CA1031
            {
                Trace.TraceWarning($"{what} of '{directory}' failed: {e.Message}");
            }
            finally
            {
                lock (running) running.Remove(directory);
            }
        });
    }

    /// <summary>Waits until this process's background compactions, log summaries and read-backs are done (tests, and processes about to exit).</summary>
    public static void WaitForCompaction()
    {
        foreach (var running in new[] { Compacting, Summarizing, ReadingBack })
        {
            while (true)
            {
                lock (running)
                {
                    if (running.Count == 0) break;
                }
                System.Threading.Thread.Sleep(10);
            }
        }
    }

    /// <summary>
    /// Row lookup for the ids a change set names: a few ids are resolved by one scan of the id
    /// column (building a hash index of a million rows would cost more than the commit), many by
    /// the snapshot's shared index. Exact, case-sensitive matching: removals and updates address ids
    /// exactly (an added id's uniqueness is checked ignoring case, by CaseFoldedIds).
    /// </summary>
    private static Func<string, int> RowFinder(ClusterSnapshot s, int k, IEnumerable<string> ids, bool repeated)
    {
        if (!ids.Any()) return _ => -1;
        // The index of a base serves every later generation of it (only the log's ids are
        // indexed again): worth building once this process commits on the same base again,
        // and then before the lock is taken (Peek warms what was expected here); and whenever
        // the base's index is there already (a query built it). The ids are counted only when
        // that is still open (a set of a pipeline's ten thousand ids, only to count them, took a
        // millisecond and a half).
        if (repeated || SnapshotIndexes.Built(s, k)) return SnapshotIndexes.For(s, k).Find;
        var wanted = new HashSet<string>(ids, StringComparer.Ordinal);
        if (wanted.Count > 64) return SnapshotIndexes.For(s, k).Find;
        SnapshotIndexes.Expect(s, k);
        var entity = k switch { 0 => s.Nodes, 1 => s.Tasks, _ => (EntityColumns)s.Content };
        var keys = wanted.Select(id => (Id: id, Bytes: System.Text.Encoding.UTF8.GetBytes(id))).ToArray();
        var rows = new Dictionary<string, int>(StringComparer.Ordinal);
        var column = entity.Keys;
        foreach (int row in entity.Rows)
        {
            if (rows.Count == keys.Length) break;
            if (column.IsNull(row)) continue;
            var value = column.GetBytes(row);
            foreach (var (id, bytes) in keys)
            {
                if (bytes.Length == value.Length && value.SequenceEqual(bytes)) rows.TryAdd(id, row);
            }
        }
        return id => rows.TryGetValue(id, out int row) ? row : -1;
    }

    /// <summary>
    /// Writes <paramref name="batch"/> as the next generation's snapshot (complete, flushed,
    /// renamed into place), switches the metadata to it, and schedules the removal of old
    /// snapshots. The caller holds the writer lock.
    /// </summary>
    private static string PublishGeneration(string directory, StateMetadata metadata, RecordBatch batch, int schemaVersion, DateTime now,
        CommitOptions options, Action<string> mark, ChangeSet? changes)
    {
        long generation = StateMetadata.Next(metadata.Generation, directory);
        string snapshotName = SnapshotFileName(generation);
        string snapshotPath = Path.Combine(directory, snapshotName);
        WriteSnapshot(snapshotPath, batch, options.Durable, () => mark("write"));
        mark("flush");
        var next = metadata.Clone();
        next.Generation = generation;
        next.Snapshot = snapshotName;
        next.UpdatedAt = now;
        next.SchemaVersion = schemaVersion;
        next.Supersede(metadata);
        next.Log = null; // a new base, with no log yet
        next.LogLength = 0;
        next.BaseGeneration = null;
        // Only replacements (a migration) publish a new base here: they have no commit record.
        if (changes is null) next.ReplacedGeneration = generation;
        try
        {
            Publish(directory, next, options.Durable);
        }
        catch
        {
            // The generation was never published: neither its snapshot (cleanup only removes
            // generations older than the current one, so it would stay forever) may stay behind.
            AtomicFile.TryDelete(snapshotPath);
            throw;
        }
        mark("publish");
        ScheduleCleanup(directory, generation, options.KeepSnapshots);
        return snapshotName;
    }

    private static EntityEdit<ClusterNode> PlanNodes(ClusterSnapshot s, ChangeSet changes, bool repeated)
    {
        var find = RowFinder(s, 0,
            changes.RemoveNodes.Concat(changes.UpdateNodes.Select(u => u.Id)), repeated);
        var edit = EntityEdit<ClusterNode>.Build(s.Nodes.Count, find, CaseFoldedIds.Finder(s.Nodes, changes.AddNodes.Select(n => n.Id)), s.Nodes.Read, n => n.Id,
            changes.RemoveNodes, changes.UpdateNodes.Select(u => (u.Id, (Action<ClusterNode>)(n => ChangeRules.Apply(n, u)))),
            changes.AddNodes, Schema.NodeFields.Table, "node", ErrorIds.NodeNotFound);
        foreach (var n in edit.Patch) ChangeRules.Validate(n, changes.Force);
        return edit;
    }

    private static EntityEdit<ClusterTask> PlanTasks(ClusterSnapshot s, ChangeSet changes, DateTime now, Func<string, bool> nodeExists, bool repeated)
    {
        var find = RowFinder(s, 1,
            changes.RemoveTasks.Concat(changes.UpdateTasks.Select(u => u.Id)), repeated);
        // A pipeline of resource updates is planned on the columns (same rules, same errors).
        if (TaskResourceEdit.TryPlan(s, changes, now, find) is { } onColumns) return onColumns;
        var adds = changes.AddTasks.Select(t =>
        {
            t.CreatedAt ??= now;
            t.UpdatedAt ??= now;
            return t;
        }).ToList();
        // Updates that leave the CIDs alone read their rows without them: nothing changed there and
        // no task added, the record copies them as stored (EntityEdit.PatchRows writes changed fields only).
        bool cidsUntouched = changes.AddTasks.Count == 0 && changes.UpdateTasks.All(ChangeRules.LeavesCids);
        Func<int, ClusterTask> read = cidsUntouched ? s.Tasks.ReadWithoutCids : s.Tasks.Read;
        var edit = EntityEdit<ClusterTask>.Build(s.Tasks.Count, find, CaseFoldedIds.Finder(s.Tasks, changes.AddTasks.Select(t => t.Id)), read, t => t.Id,
            changes.RemoveTasks, changes.UpdateTasks.Select(u => (u.Id, (Action<ClusterTask>)(t => ChangeRules.Apply(t, u, now)))),
            adds, Schema.TaskFields.Table, "task", ErrorIds.TaskNotFound);
        // The assignment is checked only where this change set writes it (see ChangeRules.Validate).
        var assigns = new HashSet<string>(changes.UpdateTasks.Where(u => u.AssignedTo is not null).Select(u => u.Id), StringComparer.Ordinal);
        for (int k = 0; k < edit.Patch.Count; k++)
        {
            var t = edit.Patch[k];
            ChangeRules.Validate(t, changes.Force, nodeExists, checkAssignment: edit.PatchSource[k] < 0 || assigns.Contains(t.Id));
        }
        return edit;
    }

    private static EntityEdit<ClusterContent> PlanContent(ClusterSnapshot s, ChangeSet changes, bool repeated)
    {
        var find = RowFinder(s, 2,
            changes.RemoveContent.Concat(changes.UpdateContent.Select(u => u.Cid)), repeated);
        var adds = changes.AddContent.Select(c =>
        {
            c.CreatedAt ??= DateTime.UtcNow;
            return c;
        }).ToList();
        var edit = EntityEdit<ClusterContent>.Build(s.Content.Count, find, CaseFoldedIds.Finder(s.Content, changes.AddContent.Select(c => c.Cid)), s.Content.Read, c => c.Cid,
            changes.RemoveContent, changes.UpdateContent.Select(u => (u.Cid, (Action<ClusterContent>)(c => ChangeRules.Apply(c, u)))),
            adds, Schema.ContentFields.Table, "content", ErrorIds.ContentNotFound);
        foreach (var c in edit.Patch) ChangeRules.Validate(c);
        return edit;
    }

    /// <summary>Whether a node id exists after the change set's node edits.</summary>
    private static Func<string, bool> NodeLookup(ClusterSnapshot s, EntityEdit<ClusterNode> nodes)
    {
        var index = new Lazy<Utf8KeyIndex>(() => SnapshotIndexes.NodeIds(s));
        var removed = new HashSet<int>(nodes.RemovedRows);
        var added = new HashSet<string>(nodes.Patch.Select(n => n.Id), StringComparer.Ordinal);
        return id => added.Contains(id) || (index.Value.Find(id) is int row && row >= 0 && !removed.Contains(row));
    }

    private static DateTime Truncate(DateTime t)
    {
        t = t.ToUniversalTime();
        return new DateTime(t.Ticks - t.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
    }

    private static readonly object CleanupGate = new();
    private static System.Threading.Tasks.Task _cleanup = System.Threading.Tasks.Task.CompletedTask;

    /// <summary>
    /// Old snapshots are deleted after the commit has returned: unlinking a file of hundreds of
    /// MiB takes the file system hundreds of milliseconds, which no caller should wait for. A
    /// process that exits first leaves them to the next commit.
    /// </summary>
    private static void ScheduleCleanup(string directory, long generation, int keep)
    {
        lock (CleanupGate)
        {
            _cleanup = _cleanup.ContinueWith(_ => RemoveOldSnapshots(directory, generation, keep), System.Threading.Tasks.TaskScheduler.Default);
        }
    }

    /// <summary>
    /// Folds the state's commit log into a new base now (DESIGN.md §5; Optimize-ClusterState):
    /// the generation and every answer stay the same, reads get faster and the log starts empty.
    /// Returns the new base's generation, or null when there is no log (or another writer
    /// switched the base meanwhile). Commits may go on while it runs.
    /// </summary>
    public static long? Compact(string directory, Action<string>? progress = null)
    {
        if (!File.Exists(Path.Combine(directory, StateMetadata.FileName)))
            throw new ClusterStateException(ErrorIds.StateNotFound, ClusterStateErrorKind.NotFound,
                $"'{directory}' is not a cluster state: it has no {StateMetadata.FileName}.", directory);
        return LogCompactor.Run(directory, progress: progress);
    }

    /// <summary>Schedules the removal of files older than a new base (compaction calls it after its switch).</summary>
    internal static void ScheduleCleanupOf(string directory, long baseGeneration) => ScheduleCleanup(directory, baseGeneration, new CommitOptions().KeepSnapshots);

    /// <summary>Waits until the deletions scheduled by earlier commits of this process are done.</summary>
    public static void WaitForCleanup()
    {
        System.Threading.Tasks.Task pending;
        lock (CleanupGate) pending = _cleanup;
        pending.Wait();
    }

    /// <summary>
    /// Deletes snapshots older than the newest <paramref name="keep"/> generations and leftovers of
    /// interrupted writes. A reader that mapped an old file keeps reading it (Unix keeps the inode
    /// alive); a reader that read the metadata but not yet the file retries on the newest one.
    /// Where a mapped file cannot be deleted (Windows) the error is ignored and the next commit
    /// tries again.
    /// </summary>
    private static void RemoveOldSnapshots(string directory, long generation, int keep)
    {
        string[] files;
        try
        {
            // Snapshots, the logs of older bases, and what an interrupted write of any file here left (metadata).
            files = Directory.GetFiles(directory, "snapshot_*.arrow*").Concat(Directory.GetFiles(directory, "commits_*.arrows*")).Concat(Directory.GetFiles(directory, "summary_*.arrows*"))
                .Concat(Directory.GetFiles(directory, "*.json.tmp-*")).ToArray();
            // changes.json, the change log of the layout before the commit log, is no longer read
            // or written (the log's records are the change feed): a state that still has one loses it here.
            AtomicFile.TryDelete(Path.Combine(directory, "changes.json"));
        }
        catch (IOException)
        {
            return; // the directory went away; nothing to clean
        }
        // The log the current base superseded stays until a later base supersedes it too: its
        // records are what the change feed reports for the commits that base folded in, to
        // watchers that started before the compaction, restore or migration (Watch-ClusterState).
        long supersededLog = files.Select(f => CommitLog.BaseOf(Path.GetFileName(f)) ?? long.MaxValue)
            .Where(g => g < generation).DefaultIfEmpty(-1).Max();
        foreach (var file in files)
        {
            string name = Path.GetFileName(file);
            if (name == CommitLog.FileName(supersededLog)) continue;
            bool leftover = name.Contains(".tmp-", StringComparison.Ordinal);
            if (leftover)
            {
                if (File.GetLastWriteTimeUtc(file) < DateTime.UtcNow.AddMinutes(-10)) AtomicFile.TryDelete(file);
                continue;
            }
            // The summaries of older bases' logs (a replaced summary of the live log is deleted by its successor).
            if (LogSummary.Parse(name) is { } summary)
            {
                if (summary.Base <= generation - Math.Max(1, keep)) AtomicFile.TryDelete(file);
                continue;
            }
            // snapshot_<g>.arrow and commits_<g>.arrows (the log of the base of generation g).
            var (prefix, suffix) = name.StartsWith("commits_", StringComparison.Ordinal) ? ("commits_", ".arrows") : ("snapshot_", ".arrow");
            if (name.Length > prefix.Length + suffix.Length && name.EndsWith(suffix, StringComparison.Ordinal)
                && long.TryParse(name.AsSpan(prefix.Length, name.Length - prefix.Length - suffix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out long g)
                && g <= generation - Math.Max(1, keep))
            {
                AtomicFile.TryDelete(file);
            }
        }
    }
}
