using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Apache.Arrow;
using ClusterState.Schema;

namespace ClusterState.Storage;

/// <summary>
/// The log summary (docs/FORMAT.md "The log summary"): a file in the log's own format holding one
/// record that equals the log's records up to a generation — each row's latest version, the base
/// rows removed, hints against the base — so a process that opens a long log decodes that record
/// and the few after it instead of every record (decoding a record costs tens of microseconds
/// whatever it holds: a thousand of them made opening 50 ms). It is an accelerator only: the log
/// stays complete, readers that ignore the summary get the same state, and any summary that is
/// missing, damaged or does not fit is passed over for the log. So it is written without a flush
/// and published without one.
/// </summary>
internal static class LogSummary
{
    private const string Prefix = "summary_", Suffix = ".arrows";

    /// <summary>The lock one summary writer at a time holds (taken without waiting: a second writer leaves the summary to the first).</summary>
    public const string LockFileName = "summary.lock";

    /// <summary>The summary of the log of base <paramref name="baseGeneration"/> up to <paramref name="generation"/>.</summary>
    public static string FileName(long baseGeneration, long generation) =>
        string.Create(CultureInfo.InvariantCulture, $"{Prefix}{baseGeneration}_{generation}{Suffix}");

    /// <summary>The base and last generation a summary's file name gives, or null for another name.</summary>
    public static (long Base, long Generation)? Parse(string? name)
    {
        if (name is null || !name.StartsWith(Prefix, StringComparison.Ordinal) || !name.EndsWith(Suffix, StringComparison.Ordinal)) return null;
        var parts = name[Prefix.Length..^Suffix.Length].Split('_');
        return parts.Length == 2
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long b)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long g) && g > b
            ? (b, g) : null;
    }

    /// <summary>The generation up to which <paramref name="metadata"/>'s summary reaches, or its log's base generation without one.</summary>
    public static long? Reach(StateMetadata metadata) => Parse(metadata.LogSummary)?.Generation ?? metadata.BaseGeneration;

    /// <summary>
    /// The summary <paramref name="metadata"/> names, read as log contents whose length is the
    /// summary's offset in the log (so the log is read on from there), or null when there is none
    /// or it cannot serve: missing (a newer one replaced it), damaged, or not a summary of this
    /// base and log. <paramref name="checkSchema"/> is the log's schema check.
    /// </summary>
    public static LogContents? TryRead(string directory, StateMetadata metadata, long baseGeneration, Action<Apache.Arrow.Schema> checkSchema)
    {
        if (Parse(metadata.LogSummary) is not { } names || names.Base != baseGeneration || metadata.LogSummaryOffset <= 0) return null;
        string path = Path.Combine(directory, metadata.LogSummary!);
        try
        {
            // A regular file here (what a snapshot or log must be), and no larger than the log it
            // stands for could make it (its rows are the log's, each once, plus the removed ids):
            // bounded before it is read.
            var stamp = FileStamp.Of(path);
            SnapshotData.RefuseIrregularFile(path, stamp, followLinks: false);
            if (stamp.Length > metadata.LogSummaryOffset + (1 << 20)) return null;
            // Mapped, not read: the summary holds every row the log changed (megabytes), and a copy
            // per open, in a new large array each time, was a third of opening a long log. The
            // mapping lives as long as the records read from it (their buffers reference it) and is
            // unmapped by the collector after them; a summary is never written in place (a new one
            // gets a new name), so the mapped bytes do not change under the records.
            var mapping = MappedFile.Open(path);
            try
            {
                var contents = CommitLog.Read(mapping.Memory, path, checkSchema);
                if (contents.Damage is not null || contents.Records.Count != 1 || contents.Records[0].Generation != names.Generation) return null;
                return contents with { Length = checked((int)metadata.LogSummaryOffset) };
            }
            finally
            {
                GC.KeepAlive(mapping); // the records hold it from here on
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ClusterStateException)
        {
            return null;
        }
    }

    /// <summary>
    /// Summarises the state's log up to its current generation and names the summary in the
    /// metadata; the previous summary goes. The record is built from the merged state with no
    /// lock held; the switch takes the writer lock for a metadata write, and gives up when the
    /// log changed meanwhile (compacted) or a newer summary is already there. Returns whether it switched.
    /// </summary>
    public static bool Write(string directory, TimeSpan lockTimeout)
    {
        // One summary at a time per state: every writer process that commits the 64th record
        // since the last summary asks for one, and with eight writers several built the same
        // summary (a copy of every row the log changed) at once, only one of them to be used.
        // Taken without waiting, before the writer lock and never while holding it.
        using var summarizing = WriterLock.TryAcquire(directory, LockFileName);
        if (summarizing is null) return false;
        using var snapshot = ClusterSnapshot.Open(directory);
        var data = snapshot.Data;
        if (snapshot.Metadata is not { Log: { } logName } pinned || data.Log is not { } log || data.LogDamage is not null || data.AppliedRecords == 0
            || data.BaseData is not { } baseData || Reach(pinned) >= data.Generation)
            return false;
        string name = FileName(baseData.Generation, data.Generation);
        string path = Path.Combine(directory, name);
        var record = CommitRecord.Build(log.Schema, data.Generation, data.ClusterId, data.MasterId, data.UpdatedAt ?? DateTime.UtcNow,
            new[] { Entity(data.Nodes), Entity(data.Tasks), Entity(data.Content) });
        var bytes = CommitLog.Serialize(record);
        AtomicFile.Write(path, stream =>
        {
            stream.Write(log.Header.Span);
            stream.Write(bytes);
        }, durable: false, "log summary");
        string? previous = null;
        bool switched = false;
        using (WriterLock.Acquire(directory, lockTimeout))
        {
            StateStore.Update(directory, current =>
            {
                if (current.Log != logName || current.LogLength < log.Length || Reach(current) >= data.Generation)
                {
                    // Not when the metadata names this very file: another writer summarised the same
                    // generation first (same name), and deleting it would leave the metadata naming nothing.
                    if (current.LogSummary != name) AtomicFile.TryDelete(path);
                    return null;
                }
                previous = current.LogSummary;
                var next = current.Clone();
                next.LogSummary = name;
                next.LogSummaryOffset = log.Length;
                switched = true;
                return next;
            }, durable: false);
        }
        if (!switched) return false;
        // A reader that read the old name and opens it now finds it gone and reads the log instead.
        if (previous is not null && previous != name) AtomicFile.TryDelete(Path.Combine(directory, previous));
        return true;
    }

    /// <summary>
    /// One entity of the summary record: the merged state's log rows as they show (each id's
    /// latest version, replacing rows first in base order, then new rows in log order, which a
    /// reader's merge puts back in the same places) and the base rows the log removed.
    /// </summary>
    private static RecordEntity Entity(EntityColumns c)
    {
        var merge = c.Merge!;
        int n = merge.Delta.Length;
        // Copied out of the records that wrote them, in the merged order (runs of one record's rows in one stretch).
        var rows = (StructArray)ArrayInterleave.Build(c.Items.Data.DataType, c.Sources,
            Enumerable.Range(c.BaseCount, n).Select(row => c.Locate(row)).Select(at => new ArrayInterleave.Take(at.Source, at.Row)).ToArray());
        var replaced = new HashSet<int>(merge.DeltaBaseRows.Where(b => b >= 0));
        var removedRows = merge.Masked.Where(b => !replaced.Contains(b)).ToArray();
        var removed = removedRows.Select(b => c.Keys.Get(b) ?? throw new InvalidOperationException("A base row without a key was merged.")).ToArray();
        return new RecordEntity(rows, merge.DeltaBaseRows, removed, removedRows);
    }
}
