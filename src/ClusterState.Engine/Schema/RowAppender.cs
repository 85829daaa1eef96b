using Apache.Arrow;
using Apache.Arrow.Types;

namespace ClusterState.Schema;

/// <summary>Appends one field of each row to a typed Arrow builder; made once per batch builder.</summary>
internal abstract class RowAppender<T>
{
    /// <summary>Appends the field of <paramref name="item"/>.</summary>
    public abstract void Append(T item);

    /// <summary>
    /// Makes room for <paramref name="count"/> more rows at once: a builder grown by doubling
    /// copied its buffers again and again (a tenth of building a 10,000-task record's columns).
    /// </summary>
    public abstract void Reserve(int count);

    /// <summary>Appends a null (the parent struct is null).</summary>
    public abstract void AppendNull();

    /// <summary>The array of the values appended so far, of <paramref name="type"/> (the field's type in its parent).</summary>
    public abstract IArrowArray Build(IArrowType type);
}
