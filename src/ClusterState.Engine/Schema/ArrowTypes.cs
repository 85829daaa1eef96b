using System.Linq;
using Apache.Arrow.Types;

namespace ClusterState.Schema;

/// <summary>Structural comparison and readable names of Arrow types (field names, nesting, units).</summary>
internal static class ArrowTypes
{
    public static bool Same(IArrowType a, IArrowType b) => (a, b) switch
    {
        (ListType la, ListType lb) => Same(la.ValueDataType, lb.ValueDataType),
        (StructType sa, StructType sb) => sa.Fields.Count == sb.Fields.Count
            && sa.Fields.Zip(sb.Fields).All(p => p.First.Name == p.Second.Name && Same(p.First.DataType, p.Second.DataType)),
        (TimestampType ta, TimestampType tb) => ta.Unit == tb.Unit,
        _ => a.TypeId == b.TypeId,
    };

    public static bool Same(Apache.Arrow.Schema a, Apache.Arrow.Schema b) =>
        a.FieldsList.Count == b.FieldsList.Count
        && a.FieldsList.Zip(b.FieldsList).All(p => p.First.Name == p.Second.Name && Same(p.First.DataType, p.Second.DataType));

    public static string Describe(IArrowType type) => type switch
    {
        StructType st => "struct<" + string.Join(", ", st.Fields.Select(f => f.Name + ": " + Describe(f.DataType))) + ">",
        ListType lt => "list<" + Describe(lt.ValueDataType) + ">",
        _ => type.Name,
    };
}
