using System.Collections.Generic;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace ClusterState.Schema;

/// <summary>
/// What a field table row says about its field, whatever the model type: the Arrow name, type,
/// nullability and version, the model property, whether updates set it, and its vocabulary.
/// </summary>
internal abstract class FieldRow
{
    protected FieldRow(string name, string property)
    {
        Name = name;
        Property = property;
    }

    /// <summary>The Arrow field name (a <see cref="ClusterSchema.Names"/> constant).</summary>
    public string Name { get; }

    /// <summary>The model property holding the value.</summary>
    public string Property { get; }

    /// <summary>Whether the Arrow field is nullable (every seed field is).</summary>
    public bool Nullable { get; init; } = true;

    /// <summary>The schema version the field appeared in.</summary>
    public int SinceVersion { get; init; } = 1;

    /// <summary>Whether an update (NodeUpdate, TaskUpdate, ContentUpdate) may set it; keys and creation data may not.</summary>
    public bool Updatable { get; init; }

    /// <summary>The known values (<see cref="Vocabularies"/>), or null when there is no vocabulary.</summary>
    public IReadOnlyList<string>? Vocabulary { get; init; }

    /// <summary>
    /// Where exports and views (JSON, CSV, hashtable) show the field: right after the field of
    /// this name (version 2's <c>started_at</c> follows <c>updated_at</c> there), or, when null,
    /// in Arrow order.
    /// </summary>
    public string? ShownAfter { get; init; }

    /// <summary>
    /// For a bool field: when the state has no such field, read it as whether this other field is
    /// set (the ipfs_kit_py variant stores <c>pinned_at</c>, not <c>pinned</c>).
    /// </summary>
    public string? PresenceOf { get; init; }

    /// <summary>The kind of value.</summary>
    public abstract FieldKind Kind { get; }

    /// <summary>The child table of a struct field; null for a leaf.</summary>
    public virtual FieldTable? Children => null;

    /// <summary>Whether the field exists in a schema version.</summary>
    public bool InVersion(int version) => SinceVersion <= version;

    /// <summary>The Arrow type of the field in a schema version.</summary>
    public abstract IArrowType ArrowTypeAt(int version);

    /// <summary>The Arrow field in a schema version.</summary>
    public Field ArrowFieldAt(int version) => new(Name, ArrowTypeAt(version), Nullable, metadata: null);

    /// <summary>The error of a by-name update of a field updates may not set.</summary>
    protected static ClusterStateException NotUpdatable(FieldRow row, string? instead = null) =>
        new(ErrorIds.FieldNotUpdatable, ClusterStateErrorKind.InvalidArgument,
            $"The field '{row.Name}' cannot be set by an update{(instead is null ? "" : "; " + instead)}.", row.Name);

    /// <summary>A non-null value of the field's kind (for a struct field, a filled child object).</summary>
    public abstract object SampleValue();
}
