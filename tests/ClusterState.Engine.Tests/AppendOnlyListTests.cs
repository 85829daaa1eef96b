using System.Linq;
using ClusterState.Storage;
using Xunit;

namespace ClusterState.Engine.Tests;

/// <summary>
/// AppendOnlyList: a longer list made from a shorter one shares its array, and a second list made
/// from the same shorter one never overwrites the first's items.
/// </summary>
public class AppendOnlyListTests
{
    [Fact]
    public void Append_KeepsEveryListAsItWasMade()
    {
        var a = AppendOnlyList<int>.Empty.Append(new[] { 1, 2 });
        var b = a.Append(new[] { 3 });
        var c = a.Append(new[] { 4, 5 });
        var d = b.Append(new[] { 6 });
        var e = b.Append(new[] { 7 });
        Assert.Equal(new[] { 1, 2 }, a.ToArray());
        Assert.Equal(new[] { 1, 2, 3 }, b.ToArray());
        Assert.Equal(new[] { 1, 2, 4, 5 }, c.ToArray());
        Assert.Equal(new[] { 1, 2, 3, 6 }, d.ToArray());
        Assert.Equal(new[] { 1, 2, 3, 7 }, e.ToArray());
        Assert.Same(a, a.Append(System.Array.Empty<int>()));
        Assert.Empty(AppendOnlyList<int>.Empty);
        Assert.Throws<System.ArgumentOutOfRangeException>(() => b[3]);
    }

    [Fact]
    public void Append_GrowsPastItsCapacity()
    {
        var list = AppendOnlyList<int>.Empty;
        var lists = new System.Collections.Generic.List<AppendOnlyList<int>>();
        for (int i = 0; i < 1000; i++)
        {
            list = list.Append(new[] { i });
            lists.Add(list);
        }
        Assert.Equal(Enumerable.Range(0, 1000), list);
        for (int i = 0; i < lists.Count; i++) Assert.Equal(Enumerable.Range(0, i + 1), lists[i]);
    }
}
