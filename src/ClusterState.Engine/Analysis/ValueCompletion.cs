using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using ClusterState.Analysis;
using ClusterState.Schema;

namespace ClusterState;

/// <summary>
/// Values for tab completion, read from the live state: ids by prefix (a byte scan that stops at
/// the limit, fast on a million tasks) and the distinct values of low-cardinality columns
/// (computed once per snapshot), merged with the vocabularies of SPEC.md §1.
/// </summary>
public static class ValueCompletion
{
#pragma warning disable CS1591 // each names the column it completes
    public static IReadOnlyList<string> NodeIds(ClusterSnapshot s, string prefix, int limit = 100) => WithPrefix(s.Nodes.Id, s.Nodes.Count, prefix, limit);
    public static IReadOnlyList<string> TaskIds(ClusterSnapshot s, string prefix, int limit = 100) => WithPrefix(s.Tasks.Id, s.Tasks.Count, prefix, limit);
    public static IReadOnlyList<string> Cids(ClusterSnapshot s, string prefix, int limit = 100) => WithPrefix(s.Content.Cid, s.Content.Count, prefix, limit);
    public static IReadOnlyList<string> NodeRoles(ClusterSnapshot s) => Merge(Vocabularies.NodeRoles, Distinct(s, "nodes.role", d => d.Nodes.Role, d => d.Nodes.Count));
    public static IReadOnlyList<string> NodeStatuses(ClusterSnapshot s) => Merge(Vocabularies.NodeStatuses, Distinct(s, "nodes.status", d => d.Nodes.Status, d => d.Nodes.Count));
    public static IReadOnlyList<string> TaskStatuses(ClusterSnapshot s) => Merge(Vocabularies.TaskStatuses, Distinct(s, "tasks.status", d => d.Tasks.Status, d => d.Tasks.Count));
    public static IReadOnlyList<string> TaskTypes(ClusterSnapshot s) => Distinct(s, "tasks.type", d => d.Tasks.Type, d => d.Tasks.Count);

    public static IReadOnlyList<string> Capabilities(ClusterSnapshot s) =>
        s.Data.GetOrAdd("distinct:nodes.capabilities", _ => DistinctListValues(s.Nodes.Capabilities, s.Nodes.Count));

    /// <summary>Providers: every node id and every provider listed by content, distinct.</summary>
    public static IReadOnlyList<string> Providers(ClusterSnapshot s) =>
        s.Data.GetOrAdd("distinct:providers", _ =>
        {
            var fromContent = DistinctListValues(s.Content.Providers, s.Content.Count);
            var nodes = Enumerable.Range(0, s.Nodes.Count).Select(i => s.Nodes.Id.Get(i) ?? "").Where(v => v.Length > 0);
            return nodes.Concat(fromContent).Distinct(StringComparer.Ordinal).ToArray();
        });
#pragma warning restore CS1591

    private static string[] WithPrefix(StringColumn column, int count, string prefix, int limit)
    {
        prefix = prefix.TrimEnd('*');
        byte[] wanted = Encoding.UTF8.GetBytes(prefix);
        bool ascii = Ascii.IsValid(prefix);
        var result = new List<string>();
        for (int i = 0; i < count && result.Count < limit; i++)
        {
            if (column.IsNull(i)) continue;
            var value = column.GetBytes(i);
            if (value.Length < wanted.Length) continue;
            var head = value[..wanted.Length];
            if (ascii ? Ascii.EqualsIgnoreCase(head, wanted) : head.SequenceEqual(wanted)) result.Add(Encoding.UTF8.GetString(value));
        }
        return result.ToArray();
    }

    private static string[] Distinct(ClusterSnapshot s, string key, Func<Storage.SnapshotData, StringColumn> column, Func<Storage.SnapshotData, int> count) =>
        s.Data.GetOrAdd("distinct:" + key, d => StatusSummary.CountByValue(column(d), count(d)).Keys.Where(k => k.Length > 0).OrderBy(k => k, StringComparer.Ordinal).ToArray());

    private static string[] DistinctListValues(StringListColumn column, int count)
    {
        var set = new SortedSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            foreach (var v in column.Get(i)) set.Add(v);
        }
        return set.ToArray();
    }

    private static string[] Merge(IEnumerable<string> vocabulary, IEnumerable<string> found) =>
        vocabulary.Concat(found).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
}
