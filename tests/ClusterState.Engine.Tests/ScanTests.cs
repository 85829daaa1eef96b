using System;
using System.Linq;
using Xunit;

namespace ClusterState.Engine.Tests;

/// <summary>The column scans against a plain comparison over objects, at sizes that take every path.</summary>
public class ScanTests
{
    private static readonly string?[] Statuses = { "pending", "Pending", "PENDING", "pend", "pendingX", "running", "", null, "failed", "f@iled", "cancelled", "päending", "sixteen-bytes-ab", "seventeen-bytes-a", "sixteen-bytes-ac" };
    private static readonly string?[] Types = { "a_b", "A_B", "a\u007Fb", "x-1", "X-1", "x\r1", "inference", null };

    [Theory]
    [InlineData(37)]            // shorter than one vector
    [InlineData(300_017)]       // split across cores, with a tail
    public void StatusAndTypeFilters_MatchCaseInsensitiveComparison(int count)
    {
        using var dir = new TempDirectory();
        var random = new Random(count);
        var tasks = Enumerable.Range(0, count).Select(i => new ClusterTask
        {
            Id = "t" + i,
            Status = Statuses[random.Next(Statuses.Length)],
            Type = Types[random.Next(Types.Length)],
        }).ToArray();
        // The last values sit at the very end of the values buffer (the checked tail path).
        tasks[^1].Status = "pending";
        tasks[^1].Type = "a_b";
        string path = dir.Combine("s");
        StateStore.Create(path, new StateContent { ClusterId = "c", Tasks = tasks });
        using var s = ClusterSnapshot.Open(path);

        foreach (var wanted in new[] { new[] { "pending" }, new[] { "PENDING", "running" }, new[] { "failed", "f@iled" }, new[] { "päending" }, new[] { "pend", "cancelled", "pendingX" } })
        {
            var expected = tasks.Select((t, i) => (t, i)).Where(x => x.t.Status is not null && wanted.Contains(x.t.Status, StringComparer.OrdinalIgnoreCase)).Select(x => x.i).ToArray();
            Assert.Equal(expected, s.FindTasks(new TaskQuery { Status = wanted }).Rows.ToArray());
        }
        // The summary's counts by status (null counts as "") equal a plain grouping.
        var expectedCounts = tasks.GroupBy(t => t.Status ?? "").ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(expectedCounts.OrderBy(kv => kv.Key, StringComparer.Ordinal), ClusterAnalysis.GetStatus(s).TasksByStatus.OrderBy(kv => kv.Key, StringComparer.Ordinal));
        foreach (var wanted in new[] { new[] { "a_b" }, new[] { "x-1" }, new[] { "a_b", "x-1", "inference" } })
        {
            var expected = tasks.Select((t, i) => (t, i)).Where(x => x.t.Type is not null && wanted.Contains(x.t.Type, StringComparer.OrdinalIgnoreCase)).Select(x => x.i).ToArray();
            Assert.Equal(expected, s.FindTasks(new TaskQuery { Type = wanted }).Rows.ToArray());
        }
    }
}
