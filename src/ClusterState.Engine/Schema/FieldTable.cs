using System;
using System.Collections.Generic;
using Apache.Arrow.Types;

namespace ClusterState.Schema;

/// <summary>A field table seen without its model type (schema building, tests walking the tables).</summary>
internal abstract class FieldTable
{
    /// <summary>The model type whose properties the rows read and write.</summary>
    public abstract Type ModelType { get; }

    /// <summary>The rows, in Arrow field order.</summary>
    public abstract IReadOnlyList<FieldRow> Rows { get; }

    /// <summary>
    /// Public properties of the model type that are not stored as fields (computed ones, such as
    /// the flattened resource properties), each with the reason.
    /// </summary>
    public abstract IReadOnlyDictionary<string, string> NotStored { get; }

    /// <summary>The struct type of an item in a schema version: the rows of that version, in order.</summary>
    public abstract StructType TypeOf(int version);
}
