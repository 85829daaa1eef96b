using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
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
        // Going on, an entity's state is copied only when a record touches it: the merge gone on
        // from stays as it was (another read may go on from it too), and an entity no new record
        // changes keeps its state, and so its result (most commits change one entity of three).
        var states = goOn ? (State[])from!.States.Clone() : bases.Select(b => new State(b)).ToArray();
        var copied = new bool[states.Length];
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
            for (int k = 0; k < states.Length; k++)
            {
                if (!Touches(records[r], k)) continue;
                if (goOn && !copied[k])
                {
                    states[k] = states[k].Clone();
                    copied[k] = true;
                }
                states[k].Apply(records[r], r, k);
            }
            applied++;
        }
        progress = damage is null ? new Progress(states, applied) : null;
        return states.Select(s => s.Result()).ToArray();
    }

    /// <summary>Whether a record writes or removes rows of entity <paramref name="k"/>.</summary>
    private static bool Touches(CommitRecord record, int k) => record.RowCount(k) > 0 || record.Removed(k).Length > 0;

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

    /// <summary>
    /// One entity's merge while records are applied: the merge it went on from
    /// (<see cref="_prior"/>, sorted arrays) and what the records since changed. Going on from a
    /// merge costs the records applied and one linear pass to merge the result, not a copy of
    /// every id the log wrote into hash tables and a sort of them at every generation.
    /// </summary>
    internal sealed class State(EntityColumns baseColumns)
    {
        private RowMerge? _prior;
        private int _priorReplaced; // the replacing rows lead prior.Delta, in base-row order
        private Dictionary<int, (int Record, int Row)> _replaced = new();
        private HashSet<int> _removed = new();
        private Dictionary<string, int> _newAt = new(StringComparer.Ordinal);
        private List<(int Record, int Row)?> _new = new();
        private RowMerge? _result;

        /// <summary>
        /// A state to go on from this one's result (this one stays as it was: another read may
        /// still go on from it). Only the rows new to the base are copied; they are few.
        /// </summary>
        public State Clone()
        {
            var prior = Result();
            int replacedCount = 0;
            while (replacedCount < prior.DeltaBaseRows.Length && prior.DeltaBaseRows[replacedCount] >= 0) replacedCount++;
            return new(baseColumns)
            {
                _prior = prior,
                _priorReplaced = replacedCount,
                _newAt = new(_newAt, StringComparer.Ordinal),
                _new = new(_new),
            };
        }

        /// <summary>Whether a base row was removed by a record (removed rows stay removed: an id added again is a new row).</summary>
        private bool IsRemoved(int baseRow)
        {
            if (_removed.Contains(baseRow)) return true;
            if (_prior is null || Array.BinarySearch(_prior.Masked, baseRow) < 0) return false;
            // Masked holds the replaced rows and the removed ones: removed unless it is replaced.
            return Array.BinarySearch(_prior.DeltaBaseRows, 0, _priorReplaced, baseRow) < 0;
        }

        private bool IsBaseRow(int hint, ReadOnlySpan<byte> id) =>
            hint >= 0 && hint < baseColumns.Count && !IsRemoved(hint) && baseColumns.Keys.Holds(hint, id);

        /// <summary>
        /// Why the record cannot apply to this entity, or null when it can. Rows that replace base
        /// rows (most of them, and all of a summary's ten thousand) are checked on their key's bytes,
        /// without making strings of them.
        /// </summary>
        public string? Check(CommitRecord record, int k)
        {
            if (!Touches(record, k)) return null;
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
            if (record.RowCount(k) == 0) return null;
            var rows = record.Rows(k);
            var rowHints = record.RowHints(k);
            var written = new HashSet<string>(StringComparer.Ordinal);
            // Hints in ascending order (a summary's ten thousand, most commits' few) cannot repeat:
            // a set of them is built only when one comes out of order.
            HashSet<int>? replaced = null;
            int lastHint = -1;
            for (int row = 0; row < rows.Count; row++)
            {
                if (rows.Keys.IsNull(row)) return "writes a row without a key";
                int hint = rowHints[row];
                if (hint >= 0)
                {
                    // A base row holds one id: the same hint twice is the same id twice.
                    if (!IsBaseRow(hint, rows.Keys.GetBytes(row)) || goneRows.Contains(hint))
                        return $"replaces '{rows.Keys.Get(row)}' at base row {hint}, which does not hold it";
                    if (replaced is null && hint > lastHint) lastHint = hint;
                    else if (!(replaced ??= AscendingHints(rowHints, row)).Add(hint)) return $"writes '{rows.Keys.Get(row)}' twice";
                    continue;
                }
                string id = rows.Keys.Get(row)!;
                if (hint != -1) return $"replaces '{id}' at base row {hint}, which does not hold it";
                if (!written.Add(id)) return $"writes '{id}' twice";
            }
            return null;
        }

        /// <summary>The non-negative hints before <paramref name="end"/> (ascending, so distinct), as a set.</summary>
        private static HashSet<int> AscendingHints(int[] hints, int end)
        {
            var set = new HashSet<int>(end);
            for (int i = 0; i < end; i++)
                if (hints[i] >= 0) set.Add(hints[i]);
            return set;
        }

        public void Apply(CommitRecord record, int r, int k)
        {
            _result = null;
            if (TryApplyInOrder(record, r, k)) return;
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
            if (record.RowCount(k) == 0) return;
            var rows = record.Rows(k);
            var rowHints = record.RowHints(k);
            _replaced.EnsureCapacity(_replaced.Count + rows.Count);
            for (int row = 0; row < rows.Count; row++)
            {
                if (rowHints[row] >= 0)
                {
                    _replaced[rowHints[row]] = (r, row);
                    continue;
                }
                AddNew(rows.Keys.Get(row)!, r, row);
            }
        }

        /// <summary>A log row of an id new to the base: its latest version, at the place the id was first added.</summary>
        private void AddNew(string id, int r, int row)
        {
            if (_newAt.TryGetValue(id, out int at)) _new[at] = (r, row);
            else
            {
                _newAt[id] = _new.Count;
                _new.Add((r, row));
            }
        }

        /// <summary>
        /// The first record applied to an empty merge, when its replacing rows lead in ascending base
        /// order and its removals are base rows in ascending order (a log summary is written so):
        /// taken whole as the merge to go on from, in one pass over its hints. Applied row by row,
        /// a summary's ten thousand rows went through hash tables and a sort at every fresh open.
        /// </summary>
        private bool TryApplyInOrder(CommitRecord record, int r, int k)
        {
            if (_prior is not null || _replaced.Count > 0 || _removed.Count > 0 || _new.Count > 0) return false;
            var removedHints = record.RemovedHints(k);
            var rowHints = record.RowCount(k) == 0 ? [] : record.RowHints(k);
            int leading = 0;
            while (leading < rowHints.Length && rowHints[leading] >= 0 && (leading == 0 || rowHints[leading] > rowHints[leading - 1])) leading++;
            for (int i = leading; i < rowHints.Length; i++)
                if (rowHints[i] >= 0) return false;
            for (int i = 0; i < removedHints.Length; i++)
                if (removedHints[i] < 0 || (i > 0 && removedHints[i] <= removedHints[i - 1])) return false;
            if (leading + removedHints.Length < 64) return false; // a few: the general way costs as little
            var delta = new (int Record, int Row)[leading];
            var deltaBaseRows = new int[leading];
            for (int i = 0; i < leading; i++)
            {
                delta[i] = (r, i);
                deltaBaseRows[i] = rowHints[i];
            }
            // Replaced and removed rows are distinct (Check).
            _prior = new RowMerge(baseColumns.Count, MergeAscending(rowHints.AsSpan(0, leading), removedHints), delta, deltaBaseRows);
            _priorReplaced = leading;
            if (rowHints.Length > leading)
            {
                var keys = record.Rows(k).Keys;
                for (int row = leading; row < rowHints.Length; row++) AddNew(keys.Get(row)!, r, row);
            }
            return true;
        }

        /// <summary>Two ascending runs of distinct rows (replaced ones and removed ones) as one ascending array.</summary>
        private static int[] MergeAscending(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
        {
            var merged = new int[a.Length + b.Length];
            for (int i = 0, x = 0, y = 0; i < merged.Length; i++)
                merged[i] = y >= b.Length || (x < a.Length && a[x] < b[y]) ? a[x++] : b[y++];
            return merged;
        }

        public RowMerge Result()
        {
            if (_result is not null) return _result;
            // Nothing since the merge gone on from (a summary and no record after it yet).
            if (_prior is not null && _replaced.Count == 0 && _removed.Count == 0 && _new.Count == 0) return _result = _prior;
            // The base rows replaced since the prior merge, sorted (the few), merged in one pass with
            // the prior's replacing rows (the many, already in base-row order); removed rows drop out.
            var fresh = new int[_replaced.Count];
            _replaced.Keys.CopyTo(fresh, 0);
            Array.Sort(fresh);
            var replacedRows = new List<int>(_priorReplaced + fresh.Length);
            var replacedBy = new List<(int Record, int Row)>(_priorReplaced + fresh.Length);
            int a = 0, b = 0;
            while (a < _priorReplaced || b < fresh.Length)
            {
                int priorRow = a < _priorReplaced ? _prior!.DeltaBaseRows[a] : int.MaxValue;
                int freshRow = b < fresh.Length ? fresh[b] : int.MaxValue;
                if (freshRow <= priorRow)
                {
                    replacedRows.Add(freshRow);
                    replacedBy.Add(_replaced[freshRow]);
                    b++;
                    if (freshRow == priorRow) a++; // replaced again: the newer version
                }
                else
                {
                    a++;
                    if (_removed.Contains(priorRow)) continue;
                    replacedRows.Add(priorRow);
                    replacedBy.Add(_prior!.Delta[a - 1]);
                }
            }
            // Masked: every replaced row and every removed one (the prior's removed, and those since), ascending.
            var removedNow = new int[_removed.Count];
            _removed.CopyTo(removedNow);
            Array.Sort(removedNow);
            var removed = new List<int>(removedNow.Length);
            if (_prior is not null)
            {
                // The prior's removed rows: its masked rows that are not its replaced ones (both ascending: one walk).
                int r = 0;
                foreach (int row in _prior.Masked)
                {
                    while (r < _priorReplaced && _prior.DeltaBaseRows[r] < row) r++;
                    if (r < _priorReplaced && _prior.DeltaBaseRows[r] == row) continue;
                    removed.Add(row);
                }
            }
            removed.AddRange(removedNow);
            removed.Sort();
            var masked = MergeAscending(CollectionsMarshal.AsSpan(replacedRows), CollectionsMarshal.AsSpan(removed));
            int added = 0;
            foreach (var n in _new) if (n is not null) added++;
            var delta = new (int Record, int Row)[replacedRows.Count + added];
            var deltaBase = new int[delta.Length];
            for (int i = 0; i < replacedRows.Count; i++)
            {
                delta[i] = replacedBy[i];
                deltaBase[i] = replacedRows[i];
            }
            int d = replacedRows.Count;
            foreach (var n in _new)
            {
                if (n is not { } at) continue;
                delta[d] = at;
                deltaBase[d++] = -1;
            }
            return _result = new RowMerge(baseColumns.Count, masked, delta, deltaBase);
        }
    }
}
