using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using ClusterState.Schema;
using Xunit;

namespace ClusterState.Engine.Tests;

/// <summary>
/// The field tables (NodeFields, TaskFields, ContentFields) against the Arrow schema of every
/// version and against the model types (issue 14): a field mapped in one place and not in
/// another fails here.
/// </summary>
public class FieldTableTests
{
    private static readonly int[] Versions = Enumerable.Range(ClusterSchema.OldestReadableVersion,
        ClusterSchema.CurrentVersion - ClusterSchema.OldestReadableVersion + 1).ToArray();

    public static IEnumerable<object[]> AllVersions() => Versions.Select(v => new object[] { v });

    private static (string Column, FieldTable Table)[] Tables() => new (string, FieldTable)[]
    {
        (ClusterSchema.Names.Nodes, NodeFields.Table),
        (ClusterSchema.Names.Tasks, TaskFields.Table),
        (ClusterSchema.Names.Content, ContentFields.Table),
    };

    [Theory]
    [MemberData(nameof(AllVersions))]
    public void Schema_BuiltFromTheTables_IsTheHandWrittenOne_FieldByField(int version)
    {
        var built = ClusterSchema.Build(version, 42);
        var legacy = LegacySchema.Build(version, 42);
        Assert.Equal(legacy.FieldsList.Count, built.FieldsList.Count);
        for (int i = 0; i < legacy.FieldsList.Count; i++) AssertSameField(legacy.FieldsList[i], built.FieldsList[i], legacy.FieldsList[i].Name);
        Assert.Equal(legacy.Metadata.OrderBy(p => p.Key), built.Metadata.OrderBy(p => p.Key));
        Assert.Equal(SchemaBytes(legacy), SchemaBytes(built));
    }

    [Fact]
    public void StructTypeProperties_AreTheHandWrittenOnes()
    {
        AssertSameType(LegacySchema.NodeType, ClusterSchema.NodeType, "nodes");
        AssertSameType(LegacySchema.TaskResourcesType, ClusterSchema.TaskResourcesType, "tasks.resources");
        AssertSameType(LegacySchema.ContentType, ClusterSchema.ContentType, "content");
        foreach (int v in Versions) AssertSameType(LegacySchema.TaskType(v), ClusterSchema.TaskType(v), "tasks v" + v);
        Assert.Equal(LegacySchema.Timestamp.Unit, ClusterSchema.Timestamp.Unit);
        Assert.Equal(LegacySchema.Timestamp.Timezone, ClusterSchema.Timestamp.Timezone);
    }

    [Theory]
    [MemberData(nameof(AllVersions))]
    public void EveryFieldOfTheSchema_HasARow_AndEveryRowOfTheVersion_AField(int version)
    {
        var schema = LegacySchema.Build(version, 0);
        foreach (var (column, table) in Tables())
        {
            var item = (StructType)((ListType)schema.GetFieldByName(column).DataType).ValueDataType;
            AssertTableMatches(table, item, version, column);
        }
    }

    [Fact]
    public void EveryRow_RoundTripsAValue_ThroughItsModelAccessor()
    {
        AssertAccessorsRoundTrip(NodeFields.Table, new ClusterNode());
        AssertAccessorsRoundTrip(TaskFields.Table, new ClusterTask());
        AssertAccessorsRoundTrip(ContentFields.Table, new ClusterContent());
    }

    [Fact]
    public void EveryPublicModelProperty_IsARow_OrListedAsNotStored()
    {
        foreach (var (column, table) in Tables()) AssertCoversModel(table, column);
    }

    [Fact]
    public void NotStoredProperties_AreComputed_NotSettable()
    {
        foreach (var (_, table) in Tables())
        {
            foreach (var name in table.NotStored.Keys)
            {
                var p = table.ModelType.GetProperty(name);
                Assert.True(p is not null, $"{table.ModelType.Name}.{name} is listed as not stored but does not exist.");
                Assert.False(p!.CanWrite, $"{table.ModelType.Name}.{name} is settable: a settable property must be stored (a table row).");
            }
        }
    }

    [Fact]
    public void Vocabularies_AreThoseOfSpecSection1()
    {
        Assert.Same(Vocabularies.NodeRoles, NodeFields.Table.Find(ClusterSchema.Names.Role)!.Vocabulary);
        Assert.Same(Vocabularies.NodeStatuses, NodeFields.Table.Find(ClusterSchema.Names.Status)!.Vocabulary);
        Assert.Same(Vocabularies.TaskStatuses, TaskFields.Table.Find(ClusterSchema.Names.Status)!.Vocabulary);
        var withVocabulary = Tables().SelectMany(t => t.Table.Rows.Where(r => r.Vocabulary is not null).Select(r => t.Column + "." + r.Name));
        Assert.Equal(new[] { "nodes.role", "nodes.status", "tasks.status" }, withVocabulary.OrderBy(s => s, StringComparer.Ordinal));
    }

    [Fact]
    public void UpdatableRows_AreTheFieldsTheUpdateTypesSet()
    {
        // Keys and creation data are never changed by an update; every other seed field is.
        string[] Fixed(FieldTable t) => t.Rows.Where(r => !r.Updatable).Select(r => r.Name).ToArray();
        Assert.Equal(new[] { "id" }, Fixed(NodeFields.Table));
        Assert.Equal(new[] { "id", "created_at", "input_cid", "input_cids" }, Fixed(TaskFields.Table));
        Assert.Equal(new[] { "cid", "created_at" }, Fixed(ContentFields.Table));
    }

    [Fact]
    public void Changed_ReportsEveryRow_SoACommitRebuildsIt()
    {
        AssertEveryRowChanges(NodeFields.Table, () => new ClusterNode { Id = "n" });
        AssertEveryRowChanges(TaskFields.Table, () => new ClusterTask { Id = "t" });
        AssertEveryRowChanges(ContentFields.Table, () => new ClusterContent { Cid = "c" });
    }

    private static void AssertEveryRowChanges<T>(EntityFields<T> table, Func<T> make)
        where T : class
    {
        Assert.Empty(table.Changed(make(), make()));
        foreach (var row in table.Fields)
        {
            var a = make();
            var b = make();
            row.SetValue(b, row.SampleValue());
            Assert.Equal(new[] { row.Name }, table.Changed(a, b));
            if (row is StructField<T, NodeResources> or StructField<T, TaskResources>)
            {
                // A change inside the struct (both sides present) is a change of the struct field.
                row.SetValue(a, row.SampleValue());
                Assert.Empty(table.Changed(a, b));
                var children = (FieldTable)row.Children!;
                var child = row.GetValue(b)!;
                foreach (var childRow in children.Rows)
                {
                    var before = ((dynamic)childRow).GetValue((dynamic)child);
                    ((dynamic)childRow).SetValue((dynamic)child, null);
                    Assert.Equal(new[] { row.Name }, table.Changed(a, b));
                    ((dynamic)childRow).SetValue((dynamic)child, before);
                }
            }
        }
    }

    private static void AssertTableMatches(FieldTable table, StructType item, int version, string path)
    {
        var rows = table.Rows.Where(r => r.InVersion(version)).ToList();
        Assert.True(rows.Select(r => r.Name).SequenceEqual(item.Fields.Select(f => f.Name)),
            $"{path} v{version}: table rows [{string.Join(", ", rows.Select(r => r.Name))}] vs schema fields [{string.Join(", ", item.Fields.Select(f => f.Name))}]");
        for (int i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var field = item.Fields[i];
            Assert.True(row.Nullable == field.IsNullable, $"{path}.{row.Name}: nullability");
            if (row.Children is { } children)
            {
                var st = Assert.IsType<StructType>(field.DataType);
                AssertTableMatches(children, st, version, path + "." + row.Name);
            }
            else
            {
                AssertSameType(field.DataType, row.ArrowTypeAt(version), path + "." + row.Name);
            }
        }
    }

    private static void AssertAccessorsRoundTrip<T>(EntityFields<T> table, T item)
        where T : class
    {
        foreach (var row in table.Fields)
        {
            var value = row.SampleValue();
            row.SetValue(item, value);
            Assert.Equal(value, row.GetValue(item));
            var property = typeof(T).GetProperty(row.Property)!;
            Assert.True(property is not null, $"{typeof(T).Name} has no property {row.Property} (row {row.Name}).");
            Assert.Equal(value, property.GetValue(item));
            if (row.Children is { } children)
            {
                // The child object's own fields round-trip on the child type.
                var method = typeof(FieldTableTests).GetMethod(nameof(AssertAccessorsRoundTrip), BindingFlags.NonPublic | BindingFlags.Static)!
                    .MakeGenericMethod(children.ModelType);
                method.Invoke(null, new[] { children, Activator.CreateInstance(children.ModelType) });
            }
        }
    }

    private static void AssertCoversModel(FieldTable table, string path)
    {
        var rows = table.Rows.Select(r => r.Property).ToHashSet(StringComparer.Ordinal);
        foreach (var p in table.ModelType.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            Assert.True(rows.Contains(p.Name) || table.NotStored.ContainsKey(p.Name),
                $"{table.ModelType.Name}.{p.Name} is neither a row of the {path} table nor listed as not stored.");
        }
        foreach (var row in table.Rows)
        {
            var p = table.ModelType.GetProperty(row.Property);
            Assert.True(p is { CanRead: true, CanWrite: true }, $"{path}.{row.Name}: {table.ModelType.Name}.{row.Property} is not a settable property.");
            if (row.Children is { } children)
            {
                Assert.Equal(children.ModelType, p!.PropertyType);
                AssertCoversModel(children, path + "." + row.Name);
            }
        }
    }

    internal static void AssertSameField(Field expected, Field actual, string path)
    {
        Assert.True(expected.Name == actual.Name, $"{path}: name {actual.Name}, expected {expected.Name}");
        Assert.True(expected.IsNullable == actual.IsNullable, $"{path}: nullability");
        Assert.True((expected.Metadata?.Count ?? 0) == (actual.Metadata?.Count ?? 0), $"{path}: metadata");
        if (expected.Metadata is not null) Assert.Equal(expected.Metadata.OrderBy(p => p.Key), actual.Metadata!.OrderBy(p => p.Key));
        AssertSameType(expected.DataType, actual.DataType, path);
    }

    internal static void AssertSameType(IArrowType expected, IArrowType actual, string path)
    {
        Assert.True(expected.TypeId == actual.TypeId, $"{path}: type {actual.Name}, expected {expected.Name}");
        switch (expected)
        {
            case StructType st:
                var at = (StructType)actual;
                Assert.True(st.Fields.Count == at.Fields.Count, $"{path}: {at.Fields.Count} fields, expected {st.Fields.Count}");
                for (int i = 0; i < st.Fields.Count; i++) AssertSameField(st.Fields[i], at.Fields[i], path + "." + st.Fields[i].Name);
                break;
            case ListType lt:
                AssertSameField(lt.ValueField, ((ListType)actual).ValueField, path + "[]");
                break;
            case TimestampType tt:
                Assert.Equal(tt.Unit, ((TimestampType)actual).Unit);
                Assert.Equal(tt.Timezone, ((TimestampType)actual).Timezone);
                break;
            case FixedWidthType fw:
                Assert.Equal(fw.BitWidth, ((FixedWidthType)actual).BitWidth);
                break;
        }
    }

    /// <summary>The schema as an Arrow IPC stream writes it (its message bytes).</summary>
    internal static byte[] SchemaBytes(Apache.Arrow.Schema schema)
    {
        using var stream = new MemoryStream();
        using (var writer = new ArrowStreamWriter(stream, schema, leaveOpen: true))
        {
            writer.WriteStart();
            writer.WriteEnd();
        }
        return stream.ToArray();
    }
}
