using System;
using Apache.Arrow;

namespace ClusterState.Schema;

/// <summary>
/// Decodes strings through bounds-checked spans. Apache.Arrow's <c>StringArray.GetString</c>
/// decodes through a raw pointer without checking the offsets, so a damaged snapshot could
/// make it read outside the mapping; here a bad offset is an <see cref="ArgumentOutOfRangeException"/>.
/// </summary>
internal static class SafeStrings
{
    public static string Get(StringArray array, int index)
    {
        var offsets = array.ValueOffsets;
        int start = offsets[index];
        return System.Text.Encoding.UTF8.GetString(array.Values.Slice(start, offsets[index + 1] - start));
    }
}
