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
/// hashtable view — first through the table's own APIs, one place at a time, then all together
/// through the real store, exports and checkpoints (issue 14's second acceptance test).
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
            Table, "task", ErrorIds.TaskNotFound);
        // Only the field set: the item changed was copied from the row through the table, every other field equal.
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

    /// <summary>
    /// The whole path with the real store: the copy of the table is put in force for this test's
    /// flow (TaskFields.Slot), and the field, kept beside each task object, is created, committed (added and updated by name),
    /// exported and imported as JSON, exported as CSV, shown in the hashtable view, and written to
    /// a Parquet checkpoint and restored from it. Nothing but the table knows of it.
    /// </summary>
    [Fact]
    public void AFieldAddedToTheTableAlone_RoundTripsThroughTheStore()
    {
        // Kept beside each object; a lazy row object (read into a fresh object the first time a
        // property is used) finds the value its row last read by id.
        var byObject = new ConditionalWeakTable<ClusterTask, StrongBox<int?>>();
        var byId = new System.Collections.Concurrent.ConcurrentDictionary<string, int?>();
        int? Get(ClusterTask t) => byObject.TryGetValue(t, out var box) ? box.Value : byId.GetValueOrDefault(t.Id);
        void Set(ClusterTask t, int? v)
        {
            byObject.AddOrUpdate(t, new StrongBox<int?>(v));
            byId[t.Id] = v;
        }
        var table = TaskFields.Table.With(new ValueField<ClusterTask, int?>(Priority, FieldCodecs.Int32, "Priority (kept beside the task)", Get, Set)
        {
            SinceVersion = ClusterSchema.CurrentVersion,
            Updatable = true,
        });
        using var inForce = TaskFields.Slot.Use(table);
        using var dir = new TempDirectory();
        string path = dir.Combine("s");
        ClusterTask New(string id, int? priority)
        {
            var t = new ClusterTask { Id = id, Status = "pending", CreatedAt = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc) };
            Set(t, priority);
            return t;
        }

        var content = new StateContent { ClusterId = "runtime-field", Tasks = new[] { New("a", 7), New("b", null) } };
        StateStore.Create(path, content);
        var change = new ChangeSet();
        change.AddTasks.Add(New("c", 5));
        change.UpdateTasks.Add(new TaskUpdate { Id = "b", Fields = new() { [Priority] = 3 } });
        change.UpdateTasks.Add(new TaskUpdate { Id = "a", Status = "failed" });
        StateStore.Commit(path, change);
        byId.Clear(); // from here on, every value comes from what the store wrote

        int?[] Stored()
        {
            using var s = ClusterSnapshot.Open(path);
            var fields = s.Schema.GetFieldByName(ClusterSchema.Names.Tasks).DataType as ListType;
            Assert.Contains(((StructType)fields!.ValueDataType).Fields, f => f.Name == Priority);
            byId.Clear();
            return s.FindTasks(new TaskQuery()).Items.Select(t => byId.GetValueOrDefault(t.Id)).ToArray();
        }
        Assert.Equal(new int?[] { 7, 3, 5 }, Stored());

        // The update by name is checked against the table.
        var unknown = Assert.Throws<ClusterStateException>(() => StateStore.Commit(path, new ChangeSet { UpdateTasks = { new TaskUpdate { Id = "a", Fields = new() { ["no_such_field"] = 1 } } } }));
        Assert.Equal(ErrorIds.UnknownField, unknown.ErrorId);
        var bad = Assert.Throws<ClusterStateException>(() => StateStore.Commit(path, new ChangeSet { UpdateTasks = { new TaskUpdate { Id = "a", Fields = new() { [Priority] = "high" } } } }));
        Assert.Equal(ErrorIds.InvalidArgument, bad.ErrorId);

        // JSON export, then import into a new state.
        string json = dir.Combine("state.json");
        using (var s = ClusterSnapshot.Open(path)) StateExport.Write(s, json, ExportFormat.Json, overwrite: false);
        using (var doc = JsonDocument.Parse(File.ReadAllBytes(json)))
        {
            var tasks = doc.RootElement.GetProperty(ClusterSchema.Names.Tasks).EnumerateArray().ToArray();
            Assert.Equal(7, tasks[0].GetProperty(Priority).GetInt32());
        }
        string imported = dir.Combine("imported");
        byId.Clear();
        StateImport.Import(json, imported);
        string saved = path;
        path = imported;
        Assert.Equal(new int?[] { 7, 3, 5 }, Stored());
        path = saved;

        // CSV: the column, with its values.
        string csv = dir.Combine("csv");
        using (var s = ClusterSnapshot.Open(path)) StateExport.Write(s, csv, ExportFormat.Csv, overwrite: false);
        var lines = File.ReadAllLines(Path.Combine(csv, "tasks.csv"));
        int column = System.Array.IndexOf(lines[0].Split(','), Priority);
        Assert.True(column >= 0, lines[0]);
        Assert.Equal(new[] { "7", "3", "5" }, lines.Skip(1).Select(l => l.Split(',')[column]));

        // The hashtable view.
        using (var s = ClusterSnapshot.Open(path))
        {
            var view = StateHashtable.Build(s);
            var tasks = (object[])view[ClusterSchema.Names.Tasks]!;
            Assert.Equal(new object?[] { 7, 3, 5 }, tasks.Select(t => ((System.Collections.Specialized.OrderedDictionary)t)[Priority]));
        }

        // A Parquet checkpoint, then a restore from it after the field was changed.
        var checkpoint = Checkpoints.Save(path);
        StateStore.Commit(path, new ChangeSet { UpdateTasks = { new TaskUpdate { Id = "c", Fields = new() { [Priority] = null } } } });
        Assert.Equal(new int?[] { 7, 3, null }, Stored());
        Checkpoints.Restore(path, checkpoint.Path);
        Assert.Equal(new int?[] { 7, 3, 5 }, Stored());
    }

    /// <summary>
    /// A field no typed update property covers (a task's started_at) is set by name, also from a
    /// change set that came over the wire as JSON; names and values are checked against the table
    /// and the request limits.
    /// </summary>
    [Fact]
    public void AnUpdateByName_FromTheWire_SetsAFieldNoPropertyCovers()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("s");
        StateStore.Create(path, TestStates.Sample(nodes: 2, tasks: 3, content: 1).ToStateContent());
        string id;
        using (var s = ClusterSnapshot.Open(path)) id = s.FindTasks(new TaskQuery()).Items.First().Id;
        var sent = new ChangeSet { UpdateTasks = { new TaskUpdate { Id = id, Fields = new() { [ClusterSchema.Names.StartedAt] = "2026-01-02T03:04:05.678Z" } } } };
        var received = RequestLimits.Read<ChangeSet>(JsonSerializer.SerializeToUtf8Bytes(sent), "change set");
        Assert.IsType<JsonElement>(received.UpdateTasks[0].Fields![ClusterSchema.Names.StartedAt]);
        StateStore.Commit(path, received);
        using (var s = ClusterSnapshot.Open(path))
            Assert.Equal(new DateTime(2026, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc), s.FindTasks(new TaskQuery { Id = new[] { id } }).Items.First().StartedAt);

        var covered = Assert.Throws<ClusterStateException>(() => StateStore.Commit(path, new ChangeSet { UpdateTasks = { new TaskUpdate { Id = id, Fields = new() { [ClusterSchema.Names.Status] = "running" } } } }));
        Assert.Equal(ErrorIds.FieldNotUpdatable, covered.ErrorId);
        var key = Assert.Throws<ClusterStateException>(() => StateStore.Commit(path, new ChangeSet { UpdateTasks = { new TaskUpdate { Id = id, Fields = new() { [ClusterSchema.Names.CreatedAt] = DateTime.UtcNow } } } }));
        Assert.Equal(ErrorIds.FieldNotUpdatable, key.ErrorId);
        var tooLong = new ChangeSet { UpdateTasks = { new TaskUpdate { Id = id, Fields = new() { [ClusterSchema.Names.OutputCids] = new[] { new string('x', RequestLimits.MaxStringLength + 1) } } } } };
        var refused = Assert.Throws<ClusterStateException>(() => RequestLimits.Read<ChangeSet>(JsonSerializer.SerializeToUtf8Bytes(tooLong), "change set"));
        Assert.Equal(ErrorIds.RequestInvalid, refused.ErrorId);
    }
}
