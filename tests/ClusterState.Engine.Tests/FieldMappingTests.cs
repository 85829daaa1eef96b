using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ClusterState.Persistence;
using ClusterState.Schema;
using Xunit;

namespace ClusterState.Engine.Tests;

/// <summary>
/// Every row of the field tables against the places that still map fields by hand (issue 14):
/// an item with every field set survives the snapshot's column binding, JSON export/import,
/// a Parquet checkpoint and the hashtable, and the CSV headers are the tables' fields. A field
/// added to a table and forgotten in one of those places fails here.
/// </summary>
public sealed class FieldMappingTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static T Full<T>(EntityFields<T> table, string key)
        where T : class, new()
    {
        var item = new T();
        foreach (var f in table.Fields) f.SetValue(item, f.SampleValue());
        table.Key.SetValue(item, key);
        return item;
    }

    private static StateContent FullState() => new()
    {
        ClusterId = "c",
        MasterId = "n",
        UpdatedAt = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc),
        Nodes = new[] { Full(NodeFields.Table, "n") },
        Tasks = new[] { Full(TaskFields.Table, "t") },
        Content = new[] { Full(ContentFields.Table, "c1") },
    };

    private static void AssertAllFieldsSurvive(ClusterSnapshot s, string how)
    {
        var expected = FullState();
        AssertSame(NodeFields.Table, expected.Nodes.Single(), s.Nodes.Read(0), how);
        AssertSame(TaskFields.Table, expected.Tasks.Single(), s.Tasks.Read(0), how);
        AssertSame(ContentFields.Table, expected.Content.Single(), s.Content.Read(0), how);
    }

    private static void AssertSame<T>(EntityFields<T> table, T expected, T actual, string how)
        where T : class
    {
        var lost = table.Changed(expected, actual).ToList();
        Assert.True(lost.Count == 0, $"{how}: {table.ItemName} fields not carried: {string.Join(", ", lost)}");
    }

    [Fact]
    public void EveryField_SurvivesTheSnapshotColumnBinding()
    {
        StateStore.Create(_dir.Combine("s"), FullState());
        using var s = ClusterSnapshot.Open(_dir.Combine("s"));
        AssertAllFieldsSurvive(s, "snapshot columns (EntityColumns)");
    }

    [Fact]
    public void EveryField_SurvivesJsonExportAndImport()
    {
        StateStore.Create(_dir.Combine("s"), FullState());
        using (var s = ClusterSnapshot.Open(_dir.Combine("s"))) StateExport.Write(s, _dir.Combine("s.json"), ExportFormat.Json, overwrite: false);
        StateImport.Import(_dir.Combine("s.json"), _dir.Combine("i"));
        using var imported = ClusterSnapshot.Open(_dir.Combine("i"));
        AssertAllFieldsSurvive(imported, "JSON export/import");
    }

    [Fact]
    public void EveryField_SurvivesAParquetCheckpoint()
    {
        StateStore.Create(_dir.Combine("s"), FullState());
        var info = Checkpoints.Save(_dir.Combine("s"));
        StateStore.Commit(_dir.Combine("s"), new ChangeSet { RemoveTasks = { "t" } });
        Checkpoints.Restore(_dir.Combine("s"), info.Path);
        using var restored = ClusterSnapshot.Open(_dir.Combine("s"));
        AssertAllFieldsSurvive(restored, "Parquet checkpoint/restore (ParquetColumns, ParquetCheckpoint)");
    }

    [Fact]
    public void EveryField_IsInTheHashtable()
    {
        StateStore.Create(_dir.Combine("s"), FullState());
        using var s = ClusterSnapshot.Open(_dir.Combine("s"));
        var h = StateHashtable.Build(s);
        AssertKeys(NodeFields.Table, (System.Collections.Specialized.OrderedDictionary)((object[])h["nodes"]!)[0]);
        AssertKeys(TaskFields.Table, (System.Collections.Specialized.OrderedDictionary)((object[])h["tasks"]!)[0]);
        AssertKeys(ContentFields.Table, (System.Collections.Specialized.OrderedDictionary)((object[])h["content"]!)[0]);
    }

    private static void AssertKeys(FieldTable table, System.Collections.Specialized.OrderedDictionary item)
    {
        Assert.Equal(table.Rows.Select(r => r.Name).OrderBy(n => n, StringComparer.Ordinal), item.Keys.Cast<string>().OrderBy(n => n, StringComparer.Ordinal));
        foreach (var row in table.Rows)
        {
            Assert.True(item[row.Name] is not null, $"hashtable: {row.Name} is null");
            if (row.Children is { } children) AssertKeys(children, (System.Collections.Specialized.OrderedDictionary)item[row.Name]!);
        }
    }

    [Fact]
    public void CsvHeaders_AreTheTablesFields_InViewOrder_WithStructsFlattened()
    {
        Assert.Equal(Flat(NodeFields.Table), CsvExport.NodeHeader);
        Assert.Equal(Flat(TaskFields.Table), CsvExport.TaskHeader);
        Assert.Equal(Flat(ContentFields.Table), CsvExport.ContentHeader);
    }

    [Fact]
    public void EveryField_HasAValueInTheCsv()
    {
        StateStore.Create(_dir.Combine("s"), FullState());
        using var s = ClusterSnapshot.Open(_dir.Combine("s"));
        var files = StateExport.Write(s, _dir.Combine("csv"), ExportFormat.Csv, overwrite: false);
        foreach (var file in files)
        {
            var lines = File.ReadAllLines(file);
            var header = lines[0].Split(',');
            var values = lines[1].Split(',');
            for (int i = 0; i < header.Length; i++) Assert.True(values[i].Length > 0, $"{Path.GetFileName(file)}: {header[i]} is empty");
        }
    }

    [Fact]
    public void UpdateTypes_SetOnlyUpdatableFields_AndEveryUpdatableLeafOfNodesAndContent()
    {
        // A property of NodeUpdate/TaskUpdate/ContentUpdate named like a row's model property sets that field.
        AssertUpdates(NodeFields.Table, typeof(NodeUpdate), requireAll: true);
        AssertUpdates(TaskFields.Table, typeof(TaskUpdate), requireAll: false); // updated_at/started_at/completed_at follow the status
        AssertUpdates(ContentFields.Table, typeof(ContentUpdate), requireAll: true);
    }

    private static void AssertUpdates(FieldTable table, Type update, bool requireAll)
    {
        var leaves = Leaves(table).Where(r => r.Row != table.Rows[0]).ToList();
        var props = update.GetProperties().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (row, updatable) in leaves)
        {
            if (props.Contains(row.Property)) Assert.True(updatable, $"{update.Name}.{row.Property} sets {row.Name}, whose row is not Updatable.");
            else if (requireAll && updatable) Assert.Fail($"{row.Name} is Updatable but {update.Name} has no {row.Property}.");
        }
    }

    private static IEnumerable<(FieldRow Row, bool Updatable)> Leaves(FieldTable table) =>
        table.Rows.SelectMany(r => r.Children is { } c ? Leaves(c).Select(x => (x.Row, x.Updatable && r.Updatable)) : new[] { (r, r.Updatable) });

    private static string[] Flat<T>(EntityFields<T> table)
        where T : class =>
        table.ViewOrder.SelectMany(r => r.Children is { } c ? c.Rows.Select(x => x.Name) : new[] { r.Name }).ToArray();
}
