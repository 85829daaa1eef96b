using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;
using ClusterState.Query;
using ClusterState.Schema;
using ClusterState.Storage;
using Xunit;
using Array = System.Array;

namespace ClusterState.Engine.Tests;

public sealed class CommitTests
{
    private static readonly DateTime Now = new(2026, 11, 2, 8, 0, 0, DateTimeKind.Utc);

    private static (TempDirectory Dir, string Path, SampleCluster Sample) NewState(int tasks = 300)
    {
        var dir = new TempDirectory();
        var sample = TestStates.Sample(nodes: 20, tasks: tasks, content: 100);
        return (dir, TestStates.Create(dir, sample), sample);
    }

    private static string Json<T>(System.Collections.Generic.IEnumerable<T> items) => string.Join("\n", items.Select(i => JsonSerializer.Serialize(i)));

    [Fact]
    public void Commit_TaskStatusToRunning_SetsTimesAndLeavesEverythingElseAlone()
    {
        var (dir, path, sample) = NewState();
        using var _ = dir;
        var tasks = sample.Tasks.ToList();
        var target = tasks.First(t => t.Status == "assigned");
        var result = StateStore.Commit(path, new ChangeSet { UpdateTasks = { new TaskUpdate { Id = target.Id, Status = "running" } } }, new CommitOptions { Now = Now });
        Assert.Equal(2, result.Generation);
        Assert.Equal(1, result.Updated);
        using var s = ClusterSnapshot.Open(path);
        Assert.Equal(2, s.Generation);
        Assert.Equal(Now, s.UpdatedAt);
        var after = s.FindTasks(new TaskQuery()).Items.ToList();
        var changed = after.Single(t => t.Id == target.Id);
        Assert.Equal("running", changed.Status);
        Assert.Equal(Now, changed.StartedAt);
        Assert.Equal(Now, changed.UpdatedAt);
        Assert.Equal(target.AssignedTo, changed.AssignedTo);
        Assert.Equal(Json(tasks.Where(t => t.Id != target.Id)), Json(after.Where(t => t.Id != target.Id)));
        Assert.Equal(Json(sample.Nodes), Json(s.FindNodes(new NodeQuery()).Items));
        Assert.Equal(Json(sample.Content), Json(s.FindContent(new ContentQuery()).Items));
    }

    [Fact]
    public void Commit_StatusTransitions_FollowTheRules()
    {
        var (dir, path, sample) = NewState();
        using var _ = dir;
        var failed = sample.Tasks.First(t => t.Status == "failed");
        var running = sample.Tasks.First(t => t.Status == "running");
        StateStore.Commit(path, new ChangeSet
        {
            UpdateTasks =
            {
                new TaskUpdate { Id = failed.Id, Status = "pending" },
                new TaskUpdate { Id = running.Id, Status = "completed", OutputCid = "bafy-out", AddOutputCids = new[] { "bafy-out" } },
            },
        }, new CommitOptions { Now = Now });
        using var s = ClusterSnapshot.Open(path);
        var retried = s.FindTasks(new TaskQuery { Id = new[] { failed.Id } }).Items.Single();
        Assert.Equal("pending", retried.Status);
        Assert.Null(retried.AssignedTo);
        Assert.Null(retried.StartedAt);
        Assert.Null(retried.CompletedAt);
        var done = s.FindTasks(new TaskQuery { Id = new[] { running.Id } }).Items.Single();
        Assert.Equal(running.StartedAt, done.StartedAt);
        Assert.Equal(Now, done.CompletedAt);
        Assert.Equal("bafy-out", done.OutputCid);
        Assert.Equal(running.OutputCids.Append("bafy-out"), done.OutputCids);
    }

    [Fact]
    public void Commit_AddAndRemoveEveryEntity_RoundTrips()
    {
        var (dir, path, sample) = NewState();
        using var _ = dir;
        var node = new ClusterNode { Id = "node-new", Role = "worker", Status = "online", Peers = new[] { sample.MasterId },
            Resources = new NodeResources { CpuCount = 8, CpuLoad = 1, GpuCount = 0, GpuAvailable = false, MemoryTotal = 1 << 30, MemoryAvailable = 1 << 29, DiskTotal = 0, DiskAvailable = 0 } };
        var task = new ClusterTask { Id = "task-new", Type = "inference", Status = "assigned", AssignedTo = "node-new", Resources = new TaskResources { CpuCores = 1, GpuCores = 0, MemoryMB = 64 } };
        var item = new ClusterContent { Cid = "bafy-new", Size = 5, Providers = new[] { "node-new" }, Pinned = true, Replication = 1 };
        string removedTask = sample.Tasks.First().Id;
        string removedCid = sample.Content.Last().Cid;
        var result = StateStore.Commit(path, new ChangeSet
        {
            AddNodes = { node }, AddTasks = { task }, AddContent = { item },
            RemoveTasks = { removedTask }, RemoveContent = { removedCid },
        }, new CommitOptions { Now = Now });
        Assert.Equal(3, result.Added);
        Assert.Equal(2, result.Removed);
        using var s = ClusterSnapshot.Open(path);
        Assert.Equal(21, s.NodeCount);
        Assert.Equal(300, s.TaskCount);
        Assert.Equal(100, s.ContentCount);
        Assert.Equal("node-new", s.FindNodes(new NodeQuery()).Items.Last().Id);
        var added = s.FindTasks(new TaskQuery { Id = new[] { "task-new" } }).Items.Single();
        Assert.Equal(Now, added.CreatedAt);
        Assert.Equal("node-new", added.AssignedTo);
        Assert.Empty(s.FindTasks(new TaskQuery { Id = new[] { removedTask } }).Items);
        Assert.Equal(new[] { "node-new" }, s.FindContent(new ContentQuery { Cid = new[] { "bafy-new" } }).Items.Single().Providers);
        Assert.Equal(sample.Tasks.Skip(1).Select(t => t.Id).Append("task-new"), s.FindTasks(new TaskQuery()).Items.Select(t => t.Id));
    }

    [Fact]
    public void Build_AnUpdateInsideAStruct_ChangesACopyOfTheRow_AndNamesTheStruct()
    {
        // The item an update changes is a copy of the row as read, its resources struct copied too:
        // a shared struct would change the row as read as well, and the change would go unseen.
        var (dir, path, sample) = NewState();
        using var _ = dir;
        using var s = ClusterSnapshot.Open(path);
        var task = sample.Tasks.First(t => t.Resources is not null);
        int memory = (task.MemoryMB ?? 0) + 1;
        var edit = EntityEdit<ClusterTask>.Build(s.Tasks.Count, SnapshotIndexes.TaskIds(s).Find, _ => -1, s.Tasks.Read, t => t.Id,
            Array.Empty<string>(), new[] { (task.Id, (Action<ClusterTask>)(t => ChangeRules.Apply(t, new TaskUpdate { Id = task.Id, MemoryMB = memory }, DateTime.UtcNow))) },
            Array.Empty<ClusterTask>(), Schema.TaskFields.Table, "task", ErrorIds.TaskNotFound);
        Assert.Equal(new[] { "resources", "updated_at" }, edit.ChangedFields.OrderBy(f => f, StringComparer.Ordinal));
        Assert.Equal(memory, edit.Patch.Single().MemoryMB);
        Assert.Equal(task.CpuCores, edit.Patch.Single().CpuCores);
    }

    [Fact]
    public void ALargeUpdateSet_AppliesInOrder_AsTheModelSays()
    {
        // A pipeline's worth of updates: each applies in its order, a row updated twice included.
        using var dir = new TempDirectory();
        string path = TestStates.Create(dir, TestStates.Sample(nodes: 8, tasks: 3000, content: 20, seed: 41));
        var model = CommitLogTests.Model.Of(path);
        var change = new ChangeSet();
        change.UpdateTasks.AddRange(model.Tasks.Take(2500).Select((t, i) => new TaskUpdate { Id = t.Id, MemoryMB = 100 + i, Status = i % 3 == 0 ? "failed" : null }));
        change.UpdateTasks.Add(new TaskUpdate { Id = model.Tasks[7].Id, MemoryMB = 4242, CpuCores = 3 });
        change.UpdateTasks.Add(new TaskUpdate { Id = model.Tasks[2].Id, Status = "pending" });
        var result = StateStore.Commit(path, change, new CommitOptions { Now = Now, Durable = false });
        model.Apply(change, Now);
        Assert.Equal(2500, result.Updated);
        ClusterSnapshot.ClearCache();
        using var after = ClusterSnapshot.Open(path);
        Assert.Equal(CommitLogTests.Json(model.Tasks, TaskFields.Table), CommitLogTests.Json(after.Tasks.Rows.ToArray().Select(after.Tasks.Read), TaskFields.Table));
        Assert.Equal(4242, after.FindTasks(new TaskQuery { Id = [model.Tasks[7].Id] }).Items.Single().MemoryMB);
    }

    [Fact]
    public void AnUpdateThatChangesNothing_OrNoCid_KeepsEveryFieldAsStored()
    {
        // Such updates read their rows without the CIDs and write only what changed; the record
        // copies the rest from the stored rows (a commit that changed nothing: all but the key).
        using var dir = new TempDirectory();
        string path = TestStates.Create(dir, TestStates.Sample(nodes: 4, tasks: 30, content: 10, seed: 43));
        ClusterTask before;
        using (var s = ClusterSnapshot.Open(path)) before = s.FindTasks(new TaskQuery()).Items.First(t => t.InputCids.Length > 1 && t.OutputCids.Length > 0);
        var same = new CommitOptions { Now = Now, Durable = false };
        StateStore.Commit(path, new ChangeSet { UpdateTasks = { new TaskUpdate { Id = before.Id, MemoryMB = 77 } } }, same);
        StateStore.Commit(path, new ChangeSet { UpdateTasks = { new TaskUpdate { Id = before.Id, MemoryMB = 77 } } }, same);
        before.Resources!.MemoryMB = 77;
        before.UpdatedAt = Now;
        Assert.Equal(3, AssertStoredAs(path, before));
    }

    /// <summary>
    /// Reads <paramref name="expected"/>'s task afresh (nothing cached) and asserts that every field
    /// of it is stored as expected; returns the generation read.
    /// </summary>
    private static long AssertStoredAs(string path, ClusterTask expected)
    {
        ClusterSnapshot.ClearCache();
        using var after = ClusterSnapshot.Open(path);
        var task = after.FindTasks(new TaskQuery { Id = [expected.Id] }).Items.Single();
        Assert.Equal(CommitLogTests.Json([expected], TaskFields.Table), CommitLogTests.Json([task], TaskFields.Table));
        return after.Generation;
    }

    [Fact]
    public void AResourceOnlyUpdate_ReadsFewFields_ButStillValidates_AndKeepsTheRest()
    {
        // Updates that set resources only read id, status, node and resources (ChangeRules.OnlyResources):
        // the checks on those still apply, and every other field is copied as stored.
        using var dir = new TempDirectory();
        string path = TestStates.Create(dir, TestStates.Sample(nodes: 4, tasks: 40, content: 10, seed: 44));
        ClusterTask running;
        using (var s = ClusterSnapshot.Open(path)) running = s.FindTasks(new TaskQuery()).Items.First(t => t.Status == "running" && t.StartedAt is not null);
        var options = new CommitOptions { Now = Now, Durable = false };
        var e = Assert.Throws<ClusterStateException>(() => StateStore.Commit(path, new ChangeSet { UpdateTasks = { new TaskUpdate { Id = running.Id, CpuCores = -1 } } }, options));
        Assert.Equal(ErrorIds.InvalidResourceValue, e.ErrorId);
        Assert.Equal(1, StateMetadata.Read(path).Generation);
        StateStore.Commit(path, new ChangeSet { UpdateTasks = { new TaskUpdate { Id = running.Id, CpuCores = 3, GpuCores = 1 } } }, options);
        running.Resources!.CpuCores = 3;
        running.Resources.GpuCores = 1;
        running.UpdatedAt = Now;
        AssertStoredAs(path, running);
    }

    [Fact]
    public void ALargeUpdateSet_WithUnknownIds_NamesTheFirstInOrder_AndWritesNothing()
    {
        using var dir = new TempDirectory();
        string path = TestStates.Create(dir, TestStates.Sample(nodes: 8, tasks: 3000, content: 20, seed: 42));
        string[] ids;
        using (var s = ClusterSnapshot.Open(path)) ids = s.FindTasks(new TaskQuery()).Items.Select(t => t.Id).Take(2500).ToArray();
        var change = new ChangeSet();
        change.UpdateTasks.AddRange(ids.Select((id, i) => new TaskUpdate { Id = i == 1000 ? "no-such-task-a" : i == 2000 ? "no-such-task-b" : id, MemoryMB = 7 }));
        var e = Assert.Throws<ClusterStateException>(() => StateStore.Commit(path, change, new CommitOptions { Durable = false }));
        Assert.Equal(ErrorIds.TaskNotFound, e.ErrorId);
        Assert.Equal("no-such-task-a", e.Target);
        Assert.Equal(1, StateMetadata.Read(path).Generation);
    }

    [Fact]
    public void Apply_StatusOnlyUpdate_ReusesEveryUnchangedChildArray()
    {
        var (dir, path, sample) = NewState();
        using var _ = dir;
        using var s = ClusterSnapshot.Open(path);
        var id = sample.Tasks.First(t => t.Status == "pending").Id;
        var edit = EntityEdit<ClusterTask>.Build(s.Tasks.Count, SnapshotIndexes.TaskIds(s).Find, _ => -1, s.Tasks.Read, t => t.Id,
            Array.Empty<string>(), new[] { (id, (Action<ClusterTask>)(t => t.Status = "cancelled")) }, Array.Empty<ClusterTask>(),
            Schema.TaskFields.Table, "task", ErrorIds.TaskNotFound);
        Assert.Equal(new[] { "status" }, edit.ChangedFields);
        var builder = new StateBatchBuilder(s.SchemaVersion);
        foreach (var t in edit.Patch) builder.Add(t);
        var column = (ListArray)edit.Apply(s.RecordBatch.Column("tasks"), s.Tasks, builder.BuildTaskItems());
        var oldItems = s.Tasks.Items;
        var newItems = (StructArray)column.Values;
        var type = (StructType)newItems.Data.DataType;
        for (int f = 0; f < type.Fields.Count; f++)
        {
            // Reused means the very same memory (here: slices of the mapped snapshot), not a copy.
            var oldBuffers = oldItems.Fields[f].Data.Buffers;
            var newBuffers = newItems.Fields[f].Data.Buffers;
            bool same = oldBuffers.Length == newBuffers.Length && oldBuffers.Zip(newBuffers).All(p => p.First.Memory.Equals(p.Second.Memory));
            Assert.True(type.Fields[f].Name == "status" ? !same : same, type.Fields[f].Name);
        }
    }

    [Fact]
    public void Commit_WritesOnlyWhatItChanges_TheBaseStaysAsItIs()
    {
        var (dir, path, sample) = NewState();
        using var _ = dir;
        string basePath = Path.Combine(path, StateMetadata.Read(path).Snapshot);
        var baseBytes = File.ReadAllBytes(basePath);
        StateStore.Commit(path, new ChangeSet { UpdateContent = { new ContentUpdate { Cid = sample.Content.First().Cid, Pinned = false } } });
        var metadata = StateMetadata.Read(path);
        Assert.Equal(baseBytes, File.ReadAllBytes(Path.Combine(path, metadata.Snapshot)));
        // The log holds one record: the one content row, nothing of the nodes or tasks.
        var log = CommitLog.Read(File.ReadAllBytes(Path.Combine(path, metadata.Log!)), metadata.Log!);
        var record = Assert.Single(log.Records);
        Assert.Equal(new[] { 0, 0, 1 }, Enumerable.Range(0, 3).Select(k => record.Rows(k).Count));
        Assert.Equal(metadata.LogLength, new FileInfo(Path.Combine(path, metadata.Log!)).Length);
        Assert.True(metadata.LogLength < 16 * 1024, $"a one-row commit wrote {metadata.LogLength} bytes");
    }

    private static System.Collections.Generic.IEnumerable<byte> Flatten(ArrayData data) =>
        data.Buffers.SelectMany(b => b.Span.ToArray()).Concat((data.Children ?? Array.Empty<ArrayData>()).SelectMany(Flatten));

    [Fact]
    public void Commit_ExpectedGenerationStale_ThrowsConflictAndWritesNothing()
    {
        var (dir, path, sample) = NewState();
        using var _ = dir;
        StateStore.Commit(path, new ChangeSet { UpdateContent = { new ContentUpdate { Cid = sample.Content.First().Cid, Replication = 9 } } });
        var files = Directory.GetFiles(path).OrderBy(f => f).ToArray();
        var e = Assert.Throws<ClusterStateException>(() => StateStore.Commit(path, new ChangeSet
        {
            ExpectedGeneration = 1,
            UpdateContent = { new ContentUpdate { Cid = sample.Content.First().Cid, Replication = 1 } },
        }));
        Assert.Equal(ErrorIds.GenerationConflict, e.ErrorId);
        Assert.Equal(ClusterStateErrorKind.Conflict, e.Kind);
        Assert.Equal(files, Directory.GetFiles(path).OrderBy(f => f).ToArray());
        Assert.Equal(3, StateStore.Commit(path, new ChangeSet { ExpectedGeneration = 2, UpdateContent = { new ContentUpdate { Cid = sample.Content.First().Cid, Replication = 1 } } }).Generation);
    }

    [Theory]
    [InlineData("duplicate-existing", ErrorIds.DuplicateId)]
    [InlineData("duplicate-in-set", ErrorIds.DuplicateId)]
    [InlineData("unknown-node", ErrorIds.AssignedNodeNotFound)]
    [InlineData("negative-memory", ErrorIds.InvalidResourceValue)]
    [InlineData("negative-cores", ErrorIds.InvalidResourceValue)]
    [InlineData("load-over-100", ErrorIds.InvalidResourceValue)]
    [InlineData("bad-status", ErrorIds.UnknownStatus)]
    [InlineData("bad-role", ErrorIds.UnknownRole)]
    [InlineData("missing-task", ErrorIds.TaskNotFound)]
    [InlineData("missing-node", ErrorIds.NodeNotFound)]
    [InlineData("empty-id", ErrorIds.MissingId)]
    [InlineData("negative-replication", ErrorIds.InvalidResourceValue)]
    public void Commit_InvalidChange_IsRejectedBeforeAnythingIsWritten(string @case, string errorId)
    {
        var (dir, path, sample) = NewState();
        using var _ = dir;
        var task = sample.Tasks.First();
        var node = sample.Nodes[1];
        var good = new TaskUpdate { Id = task.Id, Status = "cancelled" };
        var changes = new ChangeSet { UpdateTasks = { good } };
        switch (@case)
        {
            case "duplicate-existing": changes.AddTasks.Add(new ClusterTask { Id = task.Id, Status = "pending" }); break;
            case "duplicate-in-set": changes.AddNodes.Add(new ClusterNode { Id = "x", Role = "worker", Status = "online" }); changes.AddNodes.Add(new ClusterNode { Id = "x", Role = "worker", Status = "online" }); break;
            case "unknown-node": changes.UpdateTasks.Add(new TaskUpdate { Id = sample.Tasks.ElementAt(1).Id, AssignedTo = "nowhere", Status = "assigned" }); break;
            case "negative-memory": changes.UpdateNodes.Add(new NodeUpdate { Id = node.Id, MemoryAvailable = -1 }); break;
            case "negative-cores": changes.AddTasks.Add(new ClusterTask { Id = "t-neg", Status = "pending", Resources = new TaskResources { CpuCores = -2 } }); break;
            case "load-over-100": changes.UpdateNodes.Add(new NodeUpdate { Id = node.Id, CpuLoad = 101 }); break;
            case "bad-status": changes.UpdateTasks.Add(new TaskUpdate { Id = sample.Tasks.ElementAt(1).Id, Status = "exploded" }); break;
            case "bad-role": changes.UpdateNodes.Add(new NodeUpdate { Id = node.Id, Role = "boss" }); break;
            case "missing-task": changes.UpdateTasks.Add(new TaskUpdate { Id = "task-nope", Status = "failed" }); break;
            case "missing-node": changes.RemoveNodes.Add("node-nope"); break;
            case "empty-id": changes.AddContent.Add(new ClusterContent { Cid = "" }); break;
            case "negative-replication": changes.UpdateContent.Add(new ContentUpdate { Cid = sample.Content.First().Cid, ReplicationDelta = -100 }); break;
        }
        var files = Directory.GetFiles(path).Select(File.ReadAllBytes).ToArray();
        var e = Assert.Throws<ClusterStateException>(() => StateStore.Commit(path, changes));
        Assert.Equal(errorId, e.ErrorId);
        Assert.Equal(files, Directory.GetFiles(path).Select(File.ReadAllBytes).ToArray());
        using var s = ClusterSnapshot.Open(path);
        Assert.Equal(1, s.Generation);
    }

    [Fact]
    public void Commit_ForceKeepsValuesOutsideTheVocabulary()
    {
        var (dir, path, sample) = NewState();
        using var _ = dir;
        StateStore.Commit(path, new ChangeSet { Force = true, UpdateNodes = { new NodeUpdate { Id = sample.Nodes[2].Id, Status = "maintenance" } } });
        using var s = ClusterSnapshot.Open(path);
        Assert.Equal("maintenance", s.FindNodes(new NodeQuery { Id = new[] { sample.Nodes[2].Id } }).Items.Single().Status);
    }

    [Fact]
    public void Commit_ManyGenerations_ReaderOfAnOldOneStillReadsItAndOldFilesAreRemoved()
    {
        var (dir, path, sample) = NewState();
        using var _ = dir;
        var cid = sample.Content.First().Cid;
        StateStore.Commit(path, new ChangeSet { UpdateContent = { new ContentUpdate { Cid = cid, Replication = 100 } } });
        using var held = ClusterSnapshot.Open(path);
        Assert.Equal(2, held.Generation);
        for (int i = 0; i < 6; i++) StateStore.Commit(path, new ChangeSet { UpdateContent = { new ContentUpdate { Cid = cid, ReplicationDelta = 1 } } });
        StateStore.WaitForCleanup();
        // Commits append to the log of the one base; the held handle keeps reading its generation.
        var files = Directory.GetFiles(path, "*.arrow*").Select(Path.GetFileName).OrderBy(f => f).ToArray();
        Assert.Equal(new[] { "commits_1.arrows", "snapshot_00000001.arrow" }, files);
        Assert.Equal(100, held.FindContent(new ContentQuery { Cid = new[] { cid } }).Items.Single().Replication);
        using var now = ClusterSnapshot.Open(path);
        Assert.Equal(8, now.Generation);
        Assert.Equal(106, now.FindContent(new ContentQuery { Cid = new[] { cid } }).Items.Single().Replication);
    }

    [Fact]
    public void Commit_PlanUnderTheLock_SeesTheGenerationItChanges()
    {
        var (dir, path, sample) = NewState();
        using var _ = dir;
        long seen = -1;
        var result = StateStore.Commit(path, s =>
        {
            seen = s.Generation;
            return new ChangeSet { ExpectedGeneration = s.Generation, RemoveContent = { sample.Content.First().Cid } };
        });
        Assert.Equal(1, seen);
        Assert.Equal(2, result.Generation);
    }

    [Fact]
    public void Commit_FieldsFromANewerWriter_AreCarriedOverForKeptRowsAndNullForNewOnes()
    {
        var (dir, path, sample) = NewState(tasks: 50);
        using var _ = dir;
        // Rewrite the snapshot with an extra task field "priority" that this module does not know.
        using (var s = ClusterSnapshot.Open(path))
        {
            var tasks = (ListArray)s.RecordBatch.Column("tasks");
            var items = (StructArray)tasks.Values;
            var priority = new Int32Array.Builder();
            for (int i = 0; i < items.Length; i++) priority.Append(i * 10);
            var itemType = (StructType)items.Data.DataType;
            var newType = new StructType(itemType.Fields.Append(new Field("priority", Int32Type.Default, true)).ToList());
            var newItems = new StructArray(newType, items.Length, items.Fields.Append(priority.Build()), ArrowBuffer.Empty, 0, 0);
            var listType = new ListType(new Field("item", newType, true));
            var newTasks = new ListArray(listType, 1, tasks.ValueOffsetsBuffer, newItems, ArrowBuffer.Empty, 0, 0);
            var fields = s.Schema.FieldsList.Select(f => f.Name == "tasks" ? new Field("tasks", listType, true) : f).ToList();
            var schema = new Apache.Arrow.Schema(fields, s.Schema.Metadata);
            var columns = Enumerable.Range(0, 6).Select(i => i == 4 ? (IArrowArray)newTasks : s.RecordBatch.Column(i)).ToList();
            StateStore.WriteSnapshot(Path.Combine(path, "snapshot_00000001.arrow"), new RecordBatch(schema, columns, 1));
        }
        ClusterSnapshot.ClearCache();
        var ids = sample.Tasks.Select(t => t.Id).ToList();
        StateStore.Commit(path, new ChangeSet
        {
            UpdateTasks = { new TaskUpdate { Id = ids[3], Status = "cancelled" } },
            RemoveTasks = { ids[0] },
            AddTasks = { new ClusterTask { Id = "task-late", Status = "pending" } },
        });
        using var after = ClusterSnapshot.Open(path);
        var items2 = (StructArray)((ListArray)after.RecordBatch.Column("tasks")).Values;
        var p = (Int32Array)items2.Fields[((StructType)items2.Data.DataType).GetFieldIndex("priority", StringComparer.Ordinal)];
        Assert.Equal(50, p.Length);
        Assert.Equal(10, p.GetValue(0));      // old row 1
        Assert.Equal(30, p.GetValue(2));      // old row 3, updated: its unknown field kept
        Assert.Null(p.GetValue(49));          // the added task
        Assert.Equal("cancelled", after.FindTasks(new TaskQuery { Id = new[] { ids[3] } }).Items.Single().Status);
    }
}
