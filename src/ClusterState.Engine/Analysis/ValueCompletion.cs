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
    public static IReadOnlyList<string> NodeIds(ClusterSnapshot s, string prefix, int limit = 100) => WithPrefix(s.Nodes, s.Nodes.Id, prefix, limit);
    public static IReadOnlyList<string> TaskIds(ClusterSnapshot s, string prefix, int limit = 100) => WithPrefix(s.Tasks, s.Tasks.Id, prefix, limit);
    public static IReadOnlyList<string> Cids(ClusterSnapshot s, string prefix, int limit = 100) => WithPrefix(s.Content, s.Content.Cid, prefix, limit);
    public static IReadOnlyList<string> NodeRoles(ClusterSnapshot s) => Merge(Vocabularies.NodeRoles, Distinct(s, "nodes.role", d => d.Nodes, d => d.Nodes.Role));
    public static IReadOnlyList<string> NodeStatuses(ClusterSnapshot s) => Merge(Vocabularies.NodeStatuses, Distinct(s, "nodes.status", d => d.Nodes, d => d.Nodes.Status));
    public static IReadOnlyList<string> TaskStatuses(ClusterSnapshot s) => Merge(Vocabularies.TaskStatuses, Distinct(s, "tasks.status", d => d.Tasks, d => d.Tasks.Status));
    public static IReadOnlyList<string> TaskTypes(ClusterSnapshot s) => Distinct(s, "tasks.type", d => d.Tasks, d => d.Tasks.Type);

    public static IReadOnlyList<string> Capabilities(ClusterSnapshot s) =>
        s.Data.GetOrAdd("distinct:nodes.capabilities", _ => DistinctListValues(s.Nodes, s.Nodes.Capabilities));

    /// <summary>Providers: every node id and every provider listed by content, distinct.</summary>
    public static IReadOnlyList<string> Providers(ClusterSnapshot s) =>
        s.Data.GetOrAdd("distinct:providers", _ =>
        {
            var fromContent = DistinctListValues(s.Content, s.Content.Providers);
            var nodes = s.Nodes.Rows.ToArray().Select(i => s.Nodes.Id.Get(i) ?? "").Where(v => v.Length > 0);
            return nodes.Concat(fromContent).Distinct(StringComparer.Ordinal).ToArray();
        });
#pragma warning restore CS1591

    private static string[] WithPrefix(EntityColumns entity, StringColumn column, string prefix, int limit)
    {
        prefix = prefix.TrimEnd('*');
        byte[] wanted = Encoding.UTF8.GetBytes(prefix);
        bool ascii = Ascii.IsValid(prefix);
        var result = new List<string>();
        foreach (int i in entity.Rows)
        {
            if (result.Count >= limit) break;
            if (column.IsNull(i)) continue;
            var value = column.GetBytes(i);
            if (value.Length < wanted.Length) continue;
            var head = value[..wanted.Length];
            if (ascii ? Ascii.EqualsIgnoreCase(head, wanted) : head.SequenceEqual(wanted)) result.Add(Encoding.UTF8.GetString(value));
        }
        return result.ToArray();
    }

    private static string[] Distinct(ClusterSnapshot s, string key, Func<Storage.SnapshotData, EntityColumns> entity, Func<Storage.SnapshotData, StringColumn> column) =>
        s.Data.GetOrAdd("distinct:" + key, d => StatusSummary.CountByValue(entity(d), column(d)).Keys.Where(k => k.Length > 0).OrderBy(k => k, StringComparer.Ordinal).ToArray());

    private static string[] DistinctListValues(EntityColumns entity, StringListColumn column)
    {
        var set = new SortedSet<string>(StringComparer.Ordinal);
        foreach (int i in entity.Rows)
        {
            foreach (var v in column.Get(i)) set.Add(v);
        }
        return set.ToArray();
    }

    private static string[] Merge(IEnumerable<string> vocabulary, IEnumerable<string> found) =>
        vocabulary.Concat(found).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
}
