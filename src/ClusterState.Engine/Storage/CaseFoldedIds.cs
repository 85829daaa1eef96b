using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using ClusterState.Schema;

namespace ClusterState.Storage;

/// <summary>
/// Finds rows whose id equals a given id ignoring case, the way lookups compare (Utf8ValueSet:
/// ASCII ids fold ASCII case only, other ids compare ordinally ignoring case). Ids are
/// case-preserving but unique under this rule: since Get-ClusterTask task-x also finds TASK-X,
/// adding TASK-X beside task-x would make one of them unreachable by its own id.
/// </summary>
internal static class CaseFoldedIds
{
    /// <summary>The first row equal to each of <paramref name="ids"/> ignoring case, as a lookup (-1 when none).</summary>
    public static Func<string, int> Finder(EntityColumns entity, IEnumerable<string> ids)
    {
        var wanted = ids.Where(id => id is not null).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        if (wanted.Length == 0) return _ => -1;
        var ascii = wanted.Where(id => Ascii.IsValid(id)).Select(id => (Id: id, Bytes: Encoding.ASCII.GetBytes(id))).ToArray();
        var asciiSet = new HashSet<string>(ascii.Select(a => a.Id), StringComparer.OrdinalIgnoreCase);
        var lengths = new HashSet<int>(ascii.Select(a => a.Bytes.Length));
        var other = wanted.Where(id => !Ascii.IsValid(id)).ToArray();
        var rows = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var column = entity.Keys;
        foreach (int row in entity.Rows)
        {
            if (rows.Count == wanted.Length) break;
            if (column.IsNull(row)) continue;
            var value = column.GetBytes(row);
            if (lengths.Contains(value.Length) && Ascii.IsValid(value))
            {
                if (ascii.Length <= 16)
                {
                    foreach (var (id, bytes) in ascii)
                    {
                        if (bytes.Length == value.Length && Ascii.EqualsIgnoreCase(value, bytes)) rows.TryAdd(id, row);
                    }
                }
                else if (asciiSet.TryGetValue(Encoding.ASCII.GetString(value), out var id))
                {
                    rows.TryAdd(id, row);
                }
            }
            else if (other.Length > 0 && !Ascii.IsValid(value) && column.Get(row) is { } s)
            {
                foreach (var id in other)
                {
                    if (string.Equals(id, s, StringComparison.OrdinalIgnoreCase)) rows.TryAdd(id, row);
                }
            }
        }
        return id => rows.TryGetValue(id, out int row) ? row : -1;
    }
}
