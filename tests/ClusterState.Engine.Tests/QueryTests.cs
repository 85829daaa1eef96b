using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace ClusterState.Engine.Tests;

public sealed class QueryTests : IClassFixture<SampleStateFixture>
{
    private readonly SampleStateFixture _state;
    private readonly List<ClusterNode> _nodes;
    private readonly List<ClusterTask> _tasks;
    private readonly List<ClusterContent> _content;

    public QueryTests(SampleStateFixture state)
    {
        _state = state;
        _nodes = state.Sample.Nodes.ToList();
        _tasks = state.Sample.Tasks.ToList();
        _content = state.Sample.Content.ToList();
    }

    private ClusterSnapshot Open() => ClusterSnapshot.Open(_state.Path);

    [Fact]
    public void FindTasks_NoFilter_ReturnsEveryTaskInStateOrder()
    {
        using var s = Open();
        Assert.Equal(_tasks.Select(t => t.Id), s.FindTasks(new TaskQuery()).Items.Select(t => t.Id));
    }

    [Theory]
    [InlineData("pending")]
    [InlineData("failed")]
    [InlineData("PENDING")]
    public void FindTasks_Status_MatchesGeneratorCaseInsensitively(string status)
    {
        using var s = Open();
        var expected = _tasks.Where(t => string.Equals(t.Status, status, StringComparison.OrdinalIgnoreCase)).Select(t => t.Id).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, s.FindTasks(new TaskQuery { Status = new[] { status } }).Items.Select(t => t.Id));
    }

    [Fact]
    public void FindTasks_SeveralValuesOr_SeveralFiltersAnd()
    {
        using var s = Open();
        var q = new TaskQuery { Status = new[] { "running", "assigned" }, Type = new[] { "inference", "embedding" }, MinCpuCores = 2 };
        var expected = _tasks.Where(t => t.Status is "running" or "assigned" && t.Type is "inference" or "embedding" && t.CpuCores >= 2)
            .Select(t => t.Id).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, s.FindTasks(q).Items.Select(t => t.Id));
    }

    [Fact]
    public void FindTasks_ResourceMinimums_NeverMatchTasksWithoutResources()
    {
        using var s = Open();
        Assert.Contains(_tasks, t => t.Resources is null);
        var result = s.FindTasks(new TaskQuery { MinCpuCores = 0, MinGpuCores = 0, MinMemoryMB = 0 }).Items.ToList();
        Assert.Equal(_tasks.Count(t => t.Resources is not null), result.Count);
        Assert.All(result, t => Assert.NotNull(t.Resources));
    }

    [Fact]
    public void FindTasks_MinGpuAndMemory_AreInclusive()
    {
        using var s = Open();
        var expected = _tasks.Where(t => t.GpuCores >= 2 && t.MemoryMB >= 4096).Select(t => t.Id).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, s.FindTasks(new TaskQuery { MinGpuCores = 2, MinMemoryMB = 4096 }).Items.Select(t => t.Id));
    }

    [Fact]
    public void FindTasks_AssignedTo_ReturnsThatNodesTasks()
    {
        using var s = Open();
        string node = _tasks.First(t => t.AssignedTo is not null).AssignedTo!;
        var expected = _tasks.Where(t => t.AssignedTo == node).Select(t => t.Id).ToList();
        Assert.Equal(expected, s.FindTasks(new TaskQuery { AssignedTo = new[] { node } }).Items.Select(t => t.Id));
    }

    [Fact]
    public void FindNodes_RoleStatusCapability_MatchGenerator()
    {
        using var s = Open();
        var q = new NodeQuery { Role = new[] { "worker" }, Status = new[] { "online" }, Capability = new[] { "ipfs-cluster", "gpu" } };
        var expected = _nodes.Where(n => n.Role == "worker" && n.Status == "online" && n.Capabilities.Any(c => c is "ipfs-cluster" or "gpu"))
            .Select(n => n.Id).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, s.FindNodes(q).Items.Select(n => n.Id));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void FindNodes_GpuAvailable_NeedsGpuCountAndAvailability(bool wanted)
    {
        using var s = Open();
        var expected = _nodes.Where(n => (n.GpuCount > 0 && n.GpuAvailable == true) == wanted).Select(n => n.Id).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, s.FindNodes(new NodeQuery { GpuAvailable = wanted }).Items.Select(n => n.Id));
    }

    [Fact]
    public void FindNodes_IdWildcardsAndLiterals_MatchAndReportMissingLiterals()
    {
        using var s = Open();
        string first = _nodes[3].Id;
        string prefix = _nodes[5].Id[..12];
        var result = s.FindNodes(new NodeQuery { Id = new[] { first.ToLowerInvariant(), prefix + "*", "no-such-node" } });
        var expected = _nodes.Where(n => n.Id.Equals(first, StringComparison.OrdinalIgnoreCase) || n.Id.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(n => n.Id).ToList();
        Assert.Equal(expected, result.Items.Select(n => n.Id));
        Assert.Equal(new[] { "no-such-node" }, result.MissingIds);
    }

    [Fact]
    public void FindNodes_QuestionMarkAndBracketWildcards_Work()
    {
        using var s = Open();
        string id = _nodes[1].Id;
        string pattern = id[..^2] + "?[" + id[^1] + "]";
        Assert.Contains(id, s.FindNodes(new NodeQuery { Id = new[] { pattern } }).Items.Select(n => n.Id));
    }

    [Fact]
    public void FindContent_CidProviderPinned_MatchGenerator()
    {
        using var s = Open();
        string provider = _content.First(c => c.Providers.Length > 0).Providers[0];
        var expected = _content.Where(c => c.Providers.Contains(provider) && c.Pinned == true).Select(c => c.Cid).ToList();
        Assert.Equal(expected, s.FindContent(new ContentQuery { Provider = new[] { provider }, Pinned = true }).Items.Select(c => c.Cid));
    }

    [Fact]
    public void ContentMap_DistinctProvidersInStoredOrder()
    {
        using var dir = new TempDirectory();
        var content = new[]
        {
            new ClusterContent { Cid = "bafy-a", Providers = new[] { "n2", "n1", "n2", "n3", "n1" }, Replication = 4 },
            new ClusterContent { Cid = "bafy-b", Providers = Array.Empty<string>(), Replication = 1 },
        };
        StateStore.Create(dir.Path, new StateContent { ClusterId = "c", MasterId = "n1", Content = content });
        using var s = ClusterSnapshot.Open(dir.Path);
        var map = ClusterAnalysis.GetContentMap(s, new ContentQuery()).Items.ToList();
        Assert.Equal(new[] { "n2", "n1", "n3" }, map[0].Providers);
        Assert.Equal(3, map[0].ProviderCount);
        Assert.True(map[0].UnderReplicated);
        Assert.Equal(0, map[1].ProviderCount);
        Assert.True(map[1].UnderReplicated);
    }

    [Fact]
    public void ContentMap_SampleState_MatchesGenerator()
    {
        using var s = Open();
        var map = ClusterAnalysis.GetContentMap(s, new ContentQuery()).Items.ToList();
        Assert.Equal(_content.Select(c => c.Cid), map.Select(m => m.Cid));
        Assert.Equal(_content.Select(c => c.Providers.Distinct().Count()), map.Select(m => m.ProviderCount));
        Assert.Equal(_content.Select(c => c.Replication), map.Select(m => m.Replication));
    }

    [Fact]
    public void Status_SampleState_MatchesLinqOverGenerator()
    {
        using var s = Open();
        var st = ClusterAnalysis.GetStatus(s);
        Assert.Equal(_nodes.Count, st.NodesTotal);
        Assert.Equal(_nodes.Count(n => n.Status == "online"), st.NodesActive);
        Assert.Equal(1, st.Masters);
        Assert.Equal(_nodes.Count(n => n.Role == "worker"), st.Workers);
        Assert.Equal(_nodes.Count(n => n.Role == "leecher"), st.Leechers);
        Assert.Equal(_nodes.Sum(n => (long)n.CpuCount!), st.CpuCoresTotal);
        Assert.Equal(_nodes.Where(n => n.GpuAvailable == true).Sum(n => (long)n.GpuCount!), st.GpusAvailable);
        Assert.Equal(Math.Round(_nodes.Sum(n => (double)n.MemoryTotal!) / (1L << 30), 2), st.MemoryTotalGiB);
        Assert.Equal(_tasks.Count, st.TasksTotal);
        foreach (var g in _tasks.GroupBy(t => t.Status!)) Assert.Equal(g.Count(), st.TasksByStatus[g.Key]);
        Assert.Equal(Math.Round(_content.Sum(c => (double)c.Size!) / (1L << 30), 2), st.ContentSizeGiB);
    }

    [Fact]
    public void FindTasks_Status_OnALogOfSmallRecords_AnswersAsTheCompactedState()
    {
        // Log records of a few rows are matched row by row over their raw buffers (Selection.WhereEquals):
        // sets of short words, of a longer value, mixed case, and an empty status, against the compacted state.
        using var dir = new TempDirectory();
        string path = dir.Combine("s");
        StateStore.Create(path, TestStates.Sample(nodes: 6, tasks: 300, content: 10, seed: 17).ToStateContent());
        string[] ids;
        using (var s = ClusterSnapshot.Open(path)) ids = s.FindTasks(new TaskQuery()).Items.Select(t => t.Id).ToArray();
        var statuses = new[] { "failed", "completed", "running", "pending", "failed" };
        var options = new CommitOptions { Durable = false, CompactLogRecords = 0, CompactLogBytes = 0 };
        for (int c = 0; c < 40; c++)
        {
            var changes = new ChangeSet { Force = true }; // statuses alone, whatever their assignment
            for (int i = 0; i < 3; i++) changes.UpdateTasks.Add(new TaskUpdate { Id = ids[(c * 7 + i * 31) % ids.Length], Status = statuses[(c + i) % statuses.Length] });
            StateStore.Commit(path, changes, options);
        }
        string[][] sets = { new[] { "failed" }, new[] { "FAILED" }, new[] { "completed" }, new[] { "running", "failed" }, new[] { "completed", "pending" }, new[] { "" } };
        ClusterSnapshot.ClearCache();
        using var withLog = ClusterSnapshot.Open(path);
        Assert.True(withLog.Data.AppliedRecords >= 40);
        var answers = sets.Select(set => withLog.FindTasks(new TaskQuery { Status = set }).Items.Select(t => t.Id).ToArray()).ToArray();
        StateStore.Compact(path);
        ClusterSnapshot.ClearCache();
        using var compacted = ClusterSnapshot.Open(path);
        for (int k = 0; k < sets.Length; k++)
            Assert.Equal(compacted.FindTasks(new TaskQuery { Status = sets[k] }).Items.Select(t => t.Id).ToArray(), answers[k]);
        Assert.NotEmpty(answers[0]);
        Assert.Equal(answers[0], answers[1]);
    }
}
