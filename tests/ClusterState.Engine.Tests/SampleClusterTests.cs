using System.Linq;
using Xunit;

namespace ClusterState.Engine.Tests;

/// <summary>The sample generator's names: a chosen cluster id and master id change nothing else of the seed's sample.</summary>
public class SampleClusterTests
{
    [Fact]
    public void AChosenMasterId_RenamesTheFirstNodeEverywhere_AndLeavesTheRestOfTheSeedsSample()
    {
        var plain = new SampleCluster(new SampleOptions { NodeCount = 12, TaskCount = 40, ContentCount = 60, Seed = 5 });
        var named = new SampleCluster(new SampleOptions { NodeCount = 12, TaskCount = 40, ContentCount = 60, Seed = 5, ClusterId = "lab", MasterId = "lab-master" });
        Assert.Equal("lab", named.ClusterId);
        Assert.Equal("lab-master", named.MasterId);
        Assert.Equal("lab-master", named.Nodes[0].Id);
        string old = plain.MasterId;
        string Rename(string id) => id == old ? "lab-master" : id;
        Assert.Equal(plain.Nodes.Select(n => Rename(n.Id)), named.Nodes.Select(n => n.Id));
        Assert.Equal(plain.Nodes.Select(n => string.Join(",", n.Peers.Select(Rename))), named.Nodes.Select(n => string.Join(",", n.Peers)));
        Assert.Equal(plain.Tasks.Select(t => (t.Id, t.AssignedTo == null ? null : Rename(t.AssignedTo))), named.Tasks.Select(t => (t.Id, t.AssignedTo)));
        Assert.Equal(plain.Content.Select(c => string.Join(",", c.Providers.Select(Rename))), named.Content.Select(c => string.Join(",", c.Providers)));
        Assert.DoesNotContain(named.Nodes.SelectMany(n => n.Peers), p => p == old);
    }

    [Fact]
    public void AMasterId_WithoutNodes_IsRefused()
    {
        var e = Assert.Throws<ClusterStateException>(() => new SampleCluster(new SampleOptions { NodeCount = 0, TaskCount = 0, MasterId = "m" }));
        Assert.Equal(ErrorIds.InvalidArgument, e.ErrorId);
    }
}
