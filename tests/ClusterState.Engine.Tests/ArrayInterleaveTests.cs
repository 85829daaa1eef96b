using System;
using System.Collections.Generic;
using System.Linq;
using Apache.Arrow;
using ClusterState.Storage;
using Xunit;

namespace ClusterState.Engine.Tests;

/// <summary>
/// ArrayInterleave copies runs of rows as stretches at every level of nesting: every output row
/// must still equal the source row its plan names, value for value, whatever the runs, nulls and
/// array offsets.
/// </summary>
public class ArrayInterleaveTests : IClassFixture<SampleStateFixture>
{
    private readonly SampleStateFixture _state;

    public ArrayInterleaveTests(SampleStateFixture state) => _state = state;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void EveryRowEqualsTheRowItsPlanNames(int seed)
    {
        using var s = ClusterSnapshot.Open(_state.Path);
        foreach (var entity in new EntityColumnsOf[] { new(s.Nodes.Items, s.Nodes.Start, s.Nodes.Count), new(s.Tasks.Items, s.Tasks.Start, s.Tasks.Count), new(s.Content.Items, s.Content.Start, s.Content.Count) })
        {
            var random = new Random(seed);
            var items = entity.Items;
            // Sources: the whole array, and two slices (non-zero offsets at the struct and so at every child).
            int a = random.Next(1, entity.Count / 3), b = random.Next(1, entity.Count / 3);
            var sources = new IArrowArray?[] { items, items.Slice(entity.Start + a, entity.Count - a), null, items.Slice(entity.Start + b, entity.Count - b) };
            var lengths = new[] { entity.Start + entity.Count, entity.Count - a, 0, entity.Count - b };
            var plan = new List<ArrayInterleave.Take>();
            while (plan.Count < 3000)
            {
                int kind = random.Next(10);
                if (kind == 0)
                {
                    plan.AddRange(Enumerable.Repeat(ArrayInterleave.Take.Null, random.Next(1, 4)));
                    continue;
                }
                int source = new[] { 0, 1, 3 }[random.Next(3)];
                int run = kind < 4 ? 1 : random.Next(2, 200);
                int start = random.Next(0, Math.Max(1, lengths[source] - run));
                for (int r = 0; r < run && start + r < lengths[source]; r++) plan.Add(new(source, start + r));
            }
            var result = ArrayInterleave.Build(items.Data.DataType, sources, plan.ToArray());
            Assert.Equal(plan.Count, result.Length);
            for (int i = 0; i < plan.Count; i++)
            {
                var take = plan[i];
                if (take.Source < 0) Assert.True(result.IsNull(i), $"row {i} should be null");
                else Assert.True(Same(result, i, sources[take.Source]!, take.Row), $"row {i} differs from row {take.Row} of source {take.Source}");
            }
            Assert.Equal(plan.Count(t => t.Source < 0) + plan.Where(t => t.Source >= 0).Count(t => sources[t.Source]!.IsNull(t.Row)), result.NullCount);
        }
    }

    private readonly record struct EntityColumnsOf(StructArray Items, int Start, int Count);

    /// <summary>Whether row <paramref name="i"/> of <paramref name="x"/> and row <paramref name="j"/> of <paramref name="y"/> hold the same value, recursively.</summary>
    private static bool Same(IArrowArray x, int i, IArrowArray y, int j)
    {
        if (x.IsNull(i) != y.IsNull(j)) return false;
        if (x.IsNull(i)) return true;
        switch (x)
        {
            case StringArray s:
                return s.GetString(i) == ((StringArray)y).GetString(j);
            case BooleanArray bo:
                return bo.GetValue(i) == ((BooleanArray)y).GetValue(j);
            case ListArray l:
            {
                var m = (ListArray)y;
                int n = l.GetValueLength(i);
                if (n != m.GetValueLength(j)) return false;
                for (int k = 0; k < n; k++)
                    if (!Same(l.Values, l.ValueOffsets[i] + k, m.Values, m.ValueOffsets[j] + k)) return false;
                return true;
            }
            case StructArray st:
            {
                var u = (StructArray)y;
                // Apache.Arrow's Fields are sliced to the struct (its offset applied).
                for (int f = 0; f < st.Fields.Count; f++)
                    if (!Same(st.Fields[f], i, u.Fields[f], j)) return false;
                return true;
            }
            default:
            {
                int width = ((Apache.Arrow.Types.FixedWidthType)x.Data.DataType).BitWidth / 8;
                var p = x.Data.Buffers[1].Span.Slice((x.Offset + i) * width, width);
                var q = y.Data.Buffers[1].Span.Slice((y.Offset + j) * width, width);
                return p.SequenceEqual(q);
            }
        }
    }
}
