using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Apache.Arrow;
using ClusterState.Schema;

namespace ClusterState.Storage;

/// <summary>
/// Rewrites the records committed after a compaction's pinned generation for the new base's log:
/// the same rows and removals, with hints that name the new base's rows (an id keeps its new-base
/// row until a carried record removes it; an id added after the pin is new, -1). Carries in steps
/// (<see cref="CarryTo"/>): the records published before the switch with no lock held, then under
/// the lock only those committed since.
/// </summary>
internal sealed class LogCarrier(string directory, string oldLogName, LogContents pinnedLog, ClusterSnapshot pinned, int[][] ranks, Utf8KeyIndex[] indexes, Apache.Arrow.Schema logSchema)
{
    private readonly HashSet<string>[] _removedSincePin = Enumerable.Range(0, 3).Select(_ => new HashSet<string>(StringComparer.Ordinal)).ToArray();
    private readonly HashSet<string>[] _addedSincePin = Enumerable.Range(0, 3).Select(_ => new HashSet<string>(StringComparer.Ordinal)).ToArray();
    private readonly List<byte[]> _records = new();

    /// <summary>Where in the old log the records carried so far end (the pinned log's length to begin with).</summary>
    public long Carried { get; private set; } = pinnedLog.Length;

    /// <summary>How many records were carried.</summary>
    public int Count => _records.Count;

    /// <summary>The new base's log: its schema message and the carried records.</summary>
    public byte[] Bytes()
    {
        var header = CommitLog.Header(logSchema);
        var bytes = new byte[header.Length + _records.Sum(r => (long)r.Length)];
        header.CopyTo(bytes, 0);
        int at = header.Length;
        foreach (var record in _records)
        {
            record.CopyTo(bytes, at);
            at += record.Length;
        }
        return bytes;
    }

    /// <summary>Carries the good records of the old log between <see cref="Carried"/> and <paramref name="end"/> (a torn or damaged tail is left behind).</summary>
    public void CarryTo(long end)
    {
        string oldLogPath = Path.Combine(directory, oldLogName);
        var tail = new byte[end - Carried];
        using (var file = File.OpenHandle(oldLogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            tail = tail[..RandomAccess.Read(file, tail, Carried)];
        var contents = CommitLog.ReadMore(pinnedLog with { Records = AppendOnlyList<CommitRecord>.Empty, Length = checked((int)Carried) }, tail, oldLogPath);
        foreach (var record in contents.Records.Where(r => r.Generation > pinned.Generation))
        {
            _records.Add(Rewrite(record));
        }
        Carried = contents.Length;
    }

    private int RankOf(int k, string id) => indexes[k].Find(id) is int row and >= 0 ? ranks[k][row] : -1;

    private byte[] Rewrite(CommitRecord record)
    {
        var parts = new RecordEntity[3];
        for (int k = 0; k < 3; k++)
        {
            var removed = record.Removed(k);
            var removedHints = new int[removed.Length];
            for (int i = 0; i < removed.Length; i++)
            {
                string id = removed[i];
                removedHints[i] = _addedSincePin[k].Remove(id) ? -1 : RankOf(k, id);
                if (removedHints[i] >= 0) _removedSincePin[k].Add(id);
            }
            var rows = record.Rows(k);
            var hints = new int[rows.Count];
            for (int row = 0; row < rows.Count; row++)
            {
                string id = rows.Keys.Get(row)!;
                if (_addedSincePin[k].Contains(id) || _removedSincePin[k].Contains(id)) hints[row] = -1;
                else hints[row] = RankOf(k, id);
                if (hints[row] < 0) _addedSincePin[k].Add(id);
            }
            var plan = Enumerable.Range(rows.Start, rows.Count).Select(r => new ArrayInterleave.Take(0, r)).ToArray();
            var items = (StructArray)ArrayInterleave.Build(rows.Items.Data.DataType, new IArrowArray?[] { rows.Items }, plan);
            parts[k] = new RecordEntity(items, hints, removed, removedHints);
        }
        var updatedAt = record.UpdatedAt ?? DateTime.UtcNow;
        var masterId = (record.Top(ClusterSchema.Names.MasterId) as StringArray)?.GetString(0) ?? pinned.MasterId;
        return CommitLog.Serialize(CommitRecord.Build(logSchema, record.Generation, pinned.ClusterId, masterId, updatedAt, parts));
    }
}
