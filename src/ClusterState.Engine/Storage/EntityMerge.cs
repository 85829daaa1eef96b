using System;
using System.Collections.Generic;
using System.Linq;
using ClusterState.Schema;

namespace ClusterState.Storage;

/// <summary>
/// Builds the <see cref="RowMerge"/> of each entity from a base and the log records after it, in
/// time proportional to the log, never to the base: the records say which base row each id had
/// (and the hints are checked against the base's key).
/// </summary>
internal static class EntityMerge
{
    /// <summary>
    /// Applies records one at a time to the three entities; stops before the first record whose
    /// ids or hints do not fit the state so far (a log written by something else, or damaged
    /// with a valid checksum) and says why. Returns the merges of the records before it.
    /// <paramref name="progress"/> is where the merge stands after them, for a later read of a
    /// longer log to go on from (null when a record stopped it); given <paramref name="from"/>,
    /// a progress of the same base and the same first records, only the records after it are applied.
    /// </summary>
    public static RowMerge[] Build(EntityColumns[] bases, IReadOnlyList<CommitRecord> records, out int applied, out string? damage, out Progress? progress, Progress? from = null)
    {
        bool goOn = from is not null && from.Applied <= records.Count;
        var states = goOn ? from!.States.Select(s => s.Clone()).ToArray() : bases.Select(b => new State(b)).ToArray();
        damage = null;
        applied = goOn ? from!.Applied : 0;
        for (int r = applied; r < records.Count; r++)
        {
            string? why = null;
            for (int k = 0; k < states.Length && why is null; k++) why = states[k].Check(records[r], k);
            if (why is not null)
            {
                damage = $"record {r + 1} (generation {records[r].Generation}) {why}";
                break;
            }
            for (int k = 0; k < states.Length; k++) states[k].Apply(records[r], r, k);
            applied++;
        }
        progress = damage is null ? new Progress(states, applied) : null;
        return states.Select(s => s.Result()).ToArray();
    }

    /// <summary>
    /// The merge after a number of records: a longer read of the same log copies it and applies
    /// only the records after them (a copy of the ids merged so far, not a check of every record again).
    /// </summary>
    internal sealed class Progress
    {
        internal Progress(State[] states, int applied)
        {
            States = states;
            Applied = applied;
        }

        internal State[] States { get; }
        public int Applied { get; }
    }

    /// <summary>One entity's merge while records are applied.</summary>
    internal sealed class State(EntityColumns baseColumns)
    {
        private Dictionary<int, (int Record, int Row)> _replaced = new();
        private HashSet<int> _removed = new();
        private Dictionary<string, int> _newAt = new(StringComparer.Ordinal);
        private List<(int Record, int Row)?> _new = new();

        /// <summary>A copy to go on from (the original stays as it was: another state may still go on from it).</summary>
        public State Clone() => new(baseColumns)
        {
            _replaced = new(_replaced),
            _removed = new(_removed),
            _newAt = new(_newAt, StringComparer.Ordinal),
            _new = new(_new),
        };

        private bool IsBaseRow(int hint, ReadOnlySpan<byte> id) =>
            hint >= 0 && hint < baseColumns.Count && !_removed.Contains(hint) && !baseColumns.Keys.IsNull(hint)
            && baseColumns.Keys.GetBytes(hint).SequenceEqual(id);

        /// <summary>
        /// Why the record cannot apply to this entity, or null when it can. Rows that replace base
        /// rows (most of them, and all of a summary's ten thousand) are checked on their key's bytes,
        /// without making strings of them.
        /// </summary>
        public string? Check(CommitRecord record, int k)
        {
            var removed = record.Removed(k);
            var hints = record.RemovedHints(k);
            var gone = new HashSet<string>(StringComparer.Ordinal);
            var goneRows = new HashSet<int>();
            for (int i = 0; i < removed.Length; i++)
            {
                if (!gone.Add(removed[i])) return $"removes '{removed[i]}' twice";
                bool known = hints[i] >= 0 ? IsBaseRow(hints[i], System.Text.Encoding.UTF8.GetBytes(removed[i])) : hints[i] == -1 && _newAt.ContainsKey(removed[i]);
                if (!known) return $"removes '{removed[i]}', which the state does not hold where the record says";
                if (hints[i] >= 0) goneRows.Add(hints[i]);
            }
            var rows = record.Rows(k);
            var rowHints = record.RowHints(k);
            var written = new HashSet<string>(StringComparer.Ordinal);
            var replaced = new HashSet<int>();
            for (int row = 0; row < rows.Count; row++)
            {
                if (rows.Keys.IsNull(row)) return "writes a row without a key";
                int hint = rowHints[row];
                if (hint >= 0)
                {
                    // A base row holds one id: the same hint twice is the same id twice.
                    if (!IsBaseRow(hint, rows.Keys.GetBytes(row)) || goneRows.Contains(hint))
                        return $"replaces '{rows.Keys.Get(row)}' at base row {hint}, which does not hold it";
                    if (!replaced.Add(hint)) return $"writes '{rows.Keys.Get(row)}' twice";
                    continue;
                }
                string id = rows.Keys.Get(row)!;
                if (hint != -1) return $"replaces '{id}' at base row {hint}, which does not hold it";
                if (!written.Add(id)) return $"writes '{id}' twice";
            }
            return null;
        }

        public void Apply(CommitRecord record, int r, int k)
        {
            // Removals first, then rows: a commit that removes an id and adds it again puts it last.
            var removed = record.Removed(k);
            var hints = record.RemovedHints(k);
            for (int i = 0; i < removed.Length; i++)
            {
                if (hints[i] >= 0)
                {
                    _removed.Add(hints[i]);
                    _replaced.Remove(hints[i]);
                }
                else
                {
                    _new[_newAt[removed[i]]] = null;
                    _newAt.Remove(removed[i]);
                }
            }
            var rows = record.Rows(k);
            var rowHints = record.RowHints(k);
            for (int row = 0; row < rows.Count; row++)
            {
                if (rowHints[row] >= 0)
                {
                    _replaced[rowHints[row]] = (r, row);
                    continue;
                }
                string id = rows.Keys.Get(row)!;
                if (_newAt.TryGetValue(id, out int at)) _new[at] = (r, row);
                else
                {
                    _newAt[id] = _new.Count;
                    _new.Add((r, row));
                }
            }
        }

        public RowMerge Result()
        {
            // One sort of the replaced rows (the many); the removed ones (the few) are sorted apart and merged in.
            var replaced = new int[_replaced.Count];
            _replaced.Keys.CopyTo(replaced, 0);
            Array.Sort(replaced);
            var removed = new int[_removed.Count];
            _removed.CopyTo(removed);
            Array.Sort(removed);
            var masked = new int[replaced.Length + removed.Length];
            for (int i = 0, a = 0, b = 0; i < masked.Length; i++)
                masked[i] = b >= removed.Length || (a < replaced.Length && replaced[a] < removed[b]) ? replaced[a++] : removed[b++];
            int added = 0;
            foreach (var x in _new) if (x is not null) added++;
            var delta = new (int Record, int Row)[replaced.Length + added];
            var deltaBase = new int[delta.Length];
            for (int i = 0; i < replaced.Length; i++)
            {
                delta[i] = _replaced[replaced[i]];
                deltaBase[i] = replaced[i];
            }
            int d = replaced.Length;
            foreach (var x in _new)
            {
                if (x is not { } at) continue;
                delta[d] = at;
                deltaBase[d++] = -1;
            }
            return new RowMerge(baseColumns.Count, masked, delta, deltaBase);
        }
    }
}
