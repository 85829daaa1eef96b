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
    /// </summary>
    public static RowMerge[] Build(EntityColumns[] bases, IReadOnlyList<CommitRecord> records, out int applied, out string? damage)
    {
        var states = bases.Select(b => new State(b)).ToArray();
        damage = null;
        applied = 0;
        for (int r = 0; r < records.Count; r++)
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
        return states.Select(s => s.Result()).ToArray();
    }

    /// <summary>One entity's merge while records are applied.</summary>
    private sealed class State(EntityColumns baseColumns)
    {
        private readonly Dictionary<int, (int Record, int Row)> _replaced = new();
        private readonly HashSet<int> _removed = new();
        private readonly Dictionary<string, int> _newAt = new(StringComparer.Ordinal);
        private readonly List<(int Record, int Row)?> _new = new();

        private bool IsBaseRow(int hint, string id) =>
            hint >= 0 && hint < baseColumns.Count && !_removed.Contains(hint) && !baseColumns.Keys.IsNull(hint)
            && baseColumns.Keys.GetBytes(hint).SequenceEqual(System.Text.Encoding.UTF8.GetBytes(id));

        /// <summary>Why the record cannot apply to this entity, or null when it can.</summary>
        public string? Check(CommitRecord record, int k)
        {
            var removed = record.Removed(k);
            var hints = record.RemovedHints(k);
            var gone = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < removed.Length; i++)
            {
                if (!gone.Add(removed[i])) return $"removes '{removed[i]}' twice";
                bool known = hints[i] >= 0 ? IsBaseRow(hints[i], removed[i]) : hints[i] == -1 && _newAt.ContainsKey(removed[i]);
                if (!known) return $"removes '{removed[i]}', which the state does not hold where the record says";
            }
            var rows = record.Rows(k);
            var rowHints = record.RowHints(k);
            var written = new HashSet<string>(StringComparer.Ordinal);
            for (int row = 0; row < rows.Count; row++)
            {
                string? id = rows.Keys.Get(row);
                if (id is null) return "writes a row without a key";
                if (!written.Add(id)) return $"writes '{id}' twice";
                int hint = rowHints[row];
                if (hint >= 0 ? !IsBaseRow(hint, id) || gone.Contains(id) : hint != -1)
                    return $"replaces '{id}' at base row {hint}, which does not hold it";
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
            var masked = _removed.Concat(_replaced.Keys).ToArray();
            Array.Sort(masked);
            var replaced = _replaced.Keys.ToArray();
            Array.Sort(replaced);
            var added = _new.Where(x => x is not null).Select(x => x!.Value).ToArray();
            var delta = replaced.Select(b => _replaced[b]).Concat(added).ToArray();
            var deltaBase = replaced.Concat(Enumerable.Repeat(-1, added.Length)).ToArray();
            return new RowMerge(baseColumns.Count, masked, delta, deltaBase);
        }
    }
}
