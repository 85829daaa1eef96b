using System;
using System.Collections.Generic;
using System.Linq;

using ClusterState.Schema;
using ClusterState.Storage;

namespace ClusterState.Query;

/// <summary>Evaluates query objects on a snapshot's columns; no row object exists until emitted.</summary>
internal static class Filters
{
    /// <summary>
    /// Row objects that read their columns when first used: emitting a million of them costs one
    /// small object each, and the snapshot's mapping stays alive until the unread ones are gone.
    /// </summary>
    private static Func<int, T> Lazy<T>(ClusterSnapshot s, Func<int, T> read, Func<RowSource<T>, int, T> make)
    {
        var source = new RowSource<T>(new SnapshotLease(s.Data), read, s.StatePath);
        return row => make(source, row);
    }

    public static QueryResult<ClusterNode> Nodes(ClusterSnapshot s, NodeQuery q)
    {
        var c = s.Nodes;
        int[]? rows = null;
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        IdPattern? ids = Has(q.Id) ? new IdPattern(q.Id!) : null;
        if (ids is not null) rows = Selection.WhereId(rows, c, c.Id, ids, seen);
        if (Has(q.Role)) rows = Selection.WhereEquals(rows, c, c.Role, new Utf8ValueSet(q.Role!));
        if (Has(q.Status)) rows = Selection.WhereEquals(rows, c, c.Status, new Utf8ValueSet(q.Status!));
        if (Has(q.Capability))
        {
            var set = new Utf8ValueSet(q.Capability!);
            rows = Selection.Where(rows, c, i => c.Capabilities.Contains(i, set));
        }
        if (q.GpuAvailable is bool wantGpu)
        {
            rows = Selection.Where(rows, c, i => IsGpuNode(c, i) == wantGpu);
        }
        return new QueryResult<ClusterNode>(rows ?? Selection.All(c), Missing(ids, seen), Lazy(s, c.Read, (source, row) => new ClusterNode(source, row)));
    }

    public static QueryResult<ClusterTask> Tasks(ClusterSnapshot s, TaskQuery q)
    {
        var c = s.Tasks;
        int[]? rows = null;
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        IdPattern? ids = Has(q.Id) ? new IdPattern(q.Id!) : null;
        if (ids is not null) rows = ById(ids, () => SnapshotIndexes.TaskIds(s), c, c.Id, seen);
        if (Has(q.Status)) rows = Selection.WhereEquals(rows, c, c.Status, new Utf8ValueSet(q.Status!));
        if (Has(q.Type)) rows = Selection.WhereEquals(rows, c, c.Type, new Utf8ValueSet(q.Type!));
        if (Has(q.AssignedTo)) rows = Selection.WhereEquals(rows, c, c.AssignedTo, new Utf8ValueSet(q.AssignedTo!));
        // A task without a resources struct (or without the field) never meets a given minimum.
        if (q.MinCpuCores is int cpu) rows = Selection.Where(rows, c, i => c.HasResources(i) && c.CpuCores.Get(i) >= cpu);
        if (q.MinGpuCores is int gpu) rows = Selection.Where(rows, c, i => c.HasResources(i) && c.GpuCores.Get(i) >= gpu);
        if (q.MinMemoryMB is int mem) rows = Selection.Where(rows, c, i => c.HasResources(i) && c.MemoryMb.Get(i) >= mem);
        return new QueryResult<ClusterTask>(rows ?? Selection.All(c), Missing(ids, seen), Lazy(s, c.Read, (source, row) => new ClusterTask(source, row)));
    }

    public static QueryResult<ClusterContent> Content(ClusterSnapshot s, ContentQuery q)
    {
        var c = s.Content;
        int[]? rows = null;
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        IdPattern? cids = Has(q.Cid) ? new IdPattern(q.Cid!) : null;
        if (cids is not null) rows = ById(cids, () => SnapshotIndexes.ContentIds(s), c, c.Cid, seen);
        if (Has(q.Provider))
        {
            var set = new Utf8ValueSet(q.Provider!);
            rows = Selection.Where(rows, c, i => c.Providers.Contains(i, set));
        }
        if (q.Pinned is bool pinned) rows = Selection.Where(rows, c, i => c.Pinned.Get(i) == pinned);
        if (q.Orphaned is bool orphaned)
        {
            var referenced = ContentReferences.Referenced(s);
            rows = Selection.Where(rows, c, i => referenced[i] != orphaned);
        }
        return new QueryResult<ClusterContent>(rows ?? Selection.All(c), Missing(cids, seen), Lazy(s, c.Read, (source, row) => new ClusterContent(source, row)));
    }

    /// <summary>
    /// Rows for an id filter. Literal ids are looked up in the snapshot's hash index (built once
    /// per snapshot and kept while the session reuses it), falling back to a case-insensitive scan
    /// only for a literal the index does not hold exactly; wildcard patterns scan the column.
    /// </summary>
    private static int[] ById(IdPattern ids, Func<Utf8KeyIndex> index, EntityColumns c, StringColumn column, HashSet<string> seen)
    {
        if (ids.AnyWildcards) return Selection.WhereId(null, c, column, ids, seen);
        var rows = new List<int>(ids.Literals.Count);
        var unresolved = new List<string>();
        foreach (var id in ids.Literals)
        {
            int row = index().Find(id);
            if (row >= 0)
            {
                rows.Add(row);
                seen.Add(id);
            }
            else unresolved.Add(id);
        }
        if (unresolved.Count > 0) rows.AddRange(Selection.WhereId(null, c, column, new IdPattern(unresolved), seen));
        return c.InOrder(rows);
    }

    /// <summary>SPEC.md §3: a GPU node has gpu_count &gt; 0 and gpu_available.</summary>
    public static bool IsGpuNode(NodeColumns c, int row) => c.GpuCount.Get(row) > 0 && c.GpuAvailable.Get(row) == true;

    private static bool Has(IReadOnlyList<string>? values) => values is { Count: > 0 };

    private static string[] Missing(IdPattern? ids, HashSet<string> seen) =>
        ids is null ? Array.Empty<string>() : ids.Literals.Where(id => !seen.Contains(id)).ToArray();
}
