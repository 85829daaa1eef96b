using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;
using ClusterState.Schema;
using ClusterState.Storage;
using Xunit;

namespace ClusterState.Engine.Tests;

/// <summary>
/// A field added at run time to a copy of the task table (a test-only version 3 field,
/// <c>priority</c>, kept beside each task object) goes through the table-driven places with no
/// other code change: the batch builder, reading stored rows into objects, the commit's change
/// detection and field rebuild (EntityEdit), JSON write/read, CSV and the
/// hashtable view. (Issue 14's second acceptance test as far as it can go today: the tables are
/// static, so the copy is driven through the table APIs rather than StateStore/StateExport; see
/// docs/ARCHITECTURE.md "Adding a field".)
/// </summary>
public class RuntimeFieldTests
{
    private const string Priority = "priority";
    private const int TestVersion = 3;

    private static readonly ConditionalWeakTable<ClusterTask, StrongBox<int?>> Side = new();

    private static int? GetPriority(ClusterTask t) => Side.TryGetValue(t, out var box) ? box.Value : null;

    private static void SetPriority(ClusterTask t, int? v) => Side.AddOrUpdate(t, new StrongBox<int?>(v));

    private static readonly EntityFields<ClusterTask> Table = TaskFields.Table.With(
        new ValueField<ClusterTask, int?>(Priority, FieldCodecs.Int32, "Priority (kept beside the object)", GetPriority, SetPriority)
        {
            SinceVersion = TestVersion,
            Updatable = true,
        });

    private static ClusterTask Task(string id, int? priority)
    {
        var t = new ClusterTask { Id = id, Status = "pending", CreatedAt = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc) };
        SetPriority(t, priority);
        return t;
    }

    private static StructArray Build(IEnumerable<ClusterTask> tasks)
    {
        var rows = Table.NewRows(TestVersion);
        foreach (var t in tasks) rows.Append(t);
        return rows.Build(Table.TypeOf(TestVersion));
    }

    [Fact]
    public void TheSchema_HasTheFieldOnlyFromItsVersion()
    {
        Assert.Equal(Priority, Table.TypeOf(TestVersion).Fields[^1].Name);
        Assert.DoesNotContain(Table.TypeOf(ClusterSchema.CurrentVersion).Fields, f => f.Name == Priority);
        Assert.Equal(TaskFields.Table.TypeOf(ClusterSchema.CurrentVersion).Fields.Select(f => f.Name), Table.TypeOf(ClusterSchema.CurrentVersion).Fields.Select(f => f.Name));
    }

    [Fact]
    public void TheBatchBuilder_WritesTheField()
    {
        var items = Build(new[] { Task("a", 7), Task("b", null) });
        var child = (Int32Array)items.Fields[items.Fields.Count - 1];
        Assert.Equal(new int?[] { 7, null }, new[] { child.GetValue(0), child.GetValue(1) });
    }

    [Fact]
    public void ACommit_RebuildsTheField_WhenAnUpdateSetsIt_InsteadOfDroppingIt()
    {
        var old = new[] { Task("a", 1), Task("b", 2), Task("c", 3) };
        var items = Build(old);
        var listType = new ListType(new Field("item", items.Data.DataType, nullable: true));
        var offsets = new ArrowBuffer.Builder<int>(2).Append(0).Append(items.Length).Build();
        var column = new ListArray(listType, 1, offsets, items, ArrowBuffer.Empty, 0, 0);
        var schema = new Apache.Arrow.Schema(new[] { new Field(ClusterSchema.Names.Tasks, listType, nullable: true) }, null);
        using var batch = new RecordBatch(schema, new IArrowArray[] { column }, 1);
        var columns = new TaskColumns(batch);

        // What the commit does: read the old row, apply the update, ask the table what changed.
        var readers = Table.BindReaders(new ColumnScope(items, 0, items.Length, ClusterSchema.Names.Tasks));
        ClusterTask Read(int row)
        {
            var t = new ClusterTask();
            foreach (var r in readers) r(t, row);
            return t;
        }
        var edit = EntityEdit<ClusterTask>.Build(old.Length, id => System.Array.FindIndex(old, t => t.Id == id), _ => -1, Read, t => t.Id,
            System.Array.Empty<string>(), new[] { ("b", (Action<ClusterTask>)(t => SetPriority(t, 9))) }, System.Array.Empty<ClusterTask>(),
            Table.Changed, "task", ErrorIds.TaskNotFound);
        Assert.Equal(new[] { Priority }, edit.ChangedFields);

        var result = (ListArray)edit.Apply(column, columns, Build(edit.Patch));
        var rebuilt = (Int32Array)((StructArray)result.Values).Fields[items.Fields.Count - 1];
        Assert.Equal(new int?[] { 1, 9, 3 }, Enumerable.Range(0, 3).Select(i => rebuilt.GetValue(i)));
    }

    [Fact]
    public void StoredRows_ReadIntoObjects_CarryTheField()
    {
        var items = Build(new[] { Task("a", 7), Task("b", null) });
        var readers = Table.BindReaders(new ColumnScope(items, 0, items.Length, ClusterSchema.Names.Tasks));
        var read = new[] { new ClusterTask(), new ClusterTask() };
        for (int row = 0; row < 2; row++)
        {
            foreach (var r in readers) r(read[row], row);
        }
        Assert.Equal(new int?[] { 7, null }, read.Select(GetPriority));
        Assert.Equal(new[] { "a", "b" }, read.Select(t => t.Id));
    }

    [Fact]
    public void JsonExportAndImport_CarryTheField()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            Table.WriteJson(w, Task("a", 7));
            w.WriteEndObject();
        }
        using var doc = JsonDocument.Parse(stream.ToArray());
        Assert.Equal(7, doc.RootElement.GetProperty(Priority).GetInt32());
        var read = new ClusterTask();
        Table.ReadJson(doc.RootElement, read);
        Assert.Equal(7, GetPriority(read));
        Assert.Equal("a", read.Id);
    }

    [Fact]
    public void Csv_HasTheColumn()
    {
        var items = Build(new[] { Task("a", 7), Task("b", null) });
        var header = Table.CsvHeader();
        Assert.Equal(Priority, header[^1]);
        var columns = Table.BindCsv(new ColumnScope(items, 0, items.Length, ClusterSchema.Names.Tasks));
        Assert.Equal(header.Length, columns.Length);
        Assert.Equal("7", columns[^1](0));
        Assert.Null(columns[^1](1));
    }

    [Fact]
    public void TheHashtableView_HasTheField()
    {
        var view = Table.View(Task("a", 7));
        Assert.Equal(new KeyValuePair<string, object?>(Priority, 7), view[^1]);
    }
}
