using System;
using Apache.Arrow;

namespace ClusterState.Schema;

/// <summary>The scope of a nested struct field (<c>resources</c>) of a stored scope, and whether the struct is present at a row.</summary>
internal static class NestedScope
{
    /// <summary>
    /// The fields of the struct <paramref name="name"/> of <paramref name="scope"/> (their index base adds the
    /// struct's own offset); <paramref name="present"/> tells whether the struct is non-null at a row (false when absent).
    /// A merged scope's log rows get the nested scope of their own struct.
    /// </summary>
    public static ColumnScope Of(ColumnScope scope, string name, out Func<int, bool> present)
    {
        var nested = scope.Child(name, out var guard) switch
        {
            null => null,
            StructArray s => s,
            var other => throw ColumnBinding.Mismatch(name, "struct", other.Data.DataType),
        };
        int baseIndex = scope.Base;
        Func<int, bool> inBase = row =>
        {
            if (nested is null) return false;
            guard!.Ensure();
            return !nested.IsNull(baseIndex + row);
        };
        var result = new ColumnScope(nested, (nested?.Offset ?? 0) + baseIndex, scope.Count, scope.Path + "." + name) { Trusted = scope.Trusted };
        if (scope.Delta is not { } delta)
        {
            present = inBase;
            return result;
        }
        // Each part (record) of the delta has its own struct: its nested scope and presence are made on first use.
        var presence = new DeltaColumns<Presence>(delta, part =>
        {
            Of(part, name, out var inPart);
            return new Presence(inPart);
        });
        int split = delta.Split;
        present = row => row >= split ? presence.At(row, out int at).Test(at) : inBase(row);
        return result with { Delta = delta.Map(part => Of(part, name, out _)) };
    }

    /// <summary>Whether a part's nested struct is present at a row.</summary>
    private readonly record struct Presence(Func<int, bool> Test);
}
