using System.Collections.Generic;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace ClusterState.Schema;

/// <summary>
/// Builds a struct array of items field by field, with one typed appender per table row made
/// once here (no reflection or boxing per row), plus the struct's validity bitmap.
/// </summary>
internal sealed class StructRows<T>
    where T : class
{
    private readonly RowAppender<T>[] _appenders;
    private readonly ArrowBuffer.BitmapBuilder _valid = new();

    public StructRows(IEnumerable<RowAppender<T>> appenders) => _appenders = new List<RowAppender<T>>(appenders).ToArray();

    public int Count { get; private set; }

    public void Append(T item)
    {
        var appenders = _appenders;
        for (int i = 0; i < appenders.Length; i++) appenders[i].Append(item);
        _valid.Append(true);
        Count++;
    }

    /// <summary>Makes room for <paramref name="count"/> more rows in every child and the validity bitmap.</summary>
    public void Reserve(int count)
    {
        foreach (var appender in _appenders) appender.Reserve(count);
        _valid.Reserve(count);
    }

    public void AppendNull()
    {
        var appenders = _appenders;
        for (int i = 0; i < appenders.Length; i++) appenders[i].AppendNull();
        _valid.Append(false);
        Count++;
    }

    /// <summary>The struct array; its children take their types from <paramref name="type"/>, whose fields are the appenders' in order.</summary>
    public StructArray Build(StructType type)
    {
        var children = new IArrowArray[_appenders.Length];
        for (int i = 0; i < children.Length; i++) children[i] = _appenders[i].Build(type.Fields[i].DataType);
        return new StructArray(type, Count, children, _valid.UnsetBitCount == 0 ? ArrowBuffer.Empty : _valid.Build(ManagedMemoryAllocator.Instance), _valid.UnsetBitCount, 0);
    }
}
