using System;
using System.Collections.Generic;
using ClusterState.Query;

using ClusterState.Schema;

namespace ClusterState.Analysis;

/// <summary>SPEC.md §3 availability map: CID → distinct providers (stored order), their count and the replication target.</summary>
internal static class ContentAvailability
{
    public static ContentMapEntry Entry(ContentColumns c, int row)
    {
        var providers = c.Providers.Get(row);
        var seen = new HashSet<string>(providers.Length, StringComparer.Ordinal);
        var distinct = new List<string>(providers.Length);
        foreach (var p in providers)
        {
            if (seen.Add(p)) distinct.Add(p);
        }
        return new ContentMapEntry
        {
            Cid = c.Cid.Get(row) ?? "",
            Providers = distinct.ToArray(),
            ProviderCount = distinct.Count,
            Replication = c.Replication.GetInt32(row),
        };
    }
}
