using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ClusterState.Storage;
using Xunit;

namespace ClusterState.Engine.Tests;

/// <summary>
/// Resource updates planned on the columns (TaskResourceEdit) against the general planner: the
/// same change set with an empty <c>Fields</c> (which sets nothing, and sends it the general
/// way) must leave every task the same, or fail with the same error.
/// </summary>
public sealed class TaskResourceEditTests
{
    private static readonly DateTime Now = new(2026, 12, 3, 9, 0, 0, DateTimeKind.Utc);

    /// <summary>
    /// Tasks of every kind the checks distinguish — null resources, partly null resources, a
    /// status outside the vocabulary, assigned or running with and without a node — part of them
    /// in the base, part changed or added by log records, some removed.
    /// </summary>
    private static string NewState(TempDirectory dir, Random random)
    {
        string path = dir.Combine("columns");
        string[] statuses = ["pending", "assigned", "running", "completed", "failed", "cancelled"];
        string[] odd = ["weird", "Running"];
        ClusterTask Task(int i) => new()
        {
            Id = $"t{i:D3}",
            Type = "x",
            Status = random.Next(12) == 0 ? odd[random.Next(odd.Length)] : statuses[random.Next(statuses.Length)],
            AssignedTo = random.Next(6) > 0 ? "n1" : random.Next(2) == 0 ? null : "",
            Resources = random.Next(4) switch
            {
                0 => null,
                1 => new TaskResources { MemoryMB = random.Next(1, 9000) },
                _ => new TaskResources { CpuCores = random.Next(0, 9), GpuCores = random.Next(0, 3), MemoryMB = random.Next(0, 9000) },
            },
        };
        StateStore.Create(path, new StateContent { ClusterId = "c", MasterId = "n1", Nodes = [new ClusterNode { Id = "n1", Role = "worker", Status = "online" }] });
        var options = new CommitOptions { Now = Now.AddMinutes(-1), CompactLogRecords = 0, CompactLogBytes = 0 };
        StateStore.Commit(path, new ChangeSet { Force = true, AddTasks = Enumerable.Range(0, 40).Select(Task).ToList() }, options);
        StateStore.Compact(path);
        // The log over the base: tasks added, changed and removed after it.
        StateStore.Commit(path, new ChangeSet { Force = true, AddTasks = Enumerable.Range(40, 10).Select(Task).ToList(), RemoveTasks = ["t005", "t017"] }, options);
        StateStore.Commit(path, new ChangeSet { Force = true, UpdateTasks = { new TaskUpdate { Id = "t003", Status = "weird" }, new TaskUpdate { Id = "t044", Type = "y" } } }, options);
        return path;
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from).Where(f => !f.EndsWith(".lock", StringComparison.Ordinal)))
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }

    private static List<TaskUpdate> RandomUpdates(Random random)
    {
        var updates = new List<TaskUpdate>();
        int count = random.Next(1, 12);
        for (int i = 0; i < count; i++)
        {
            int? Value() => random.Next(3) == 0 ? null : random.Next(50) == 0 ? -1 : random.Next(0, 64);
            var u = new TaskUpdate
            {
                // Some ids twice (the second update applies to the first one's result), rarely one that is not there.
                Id = random.Next(60) == 0 ? "t999" : $"t{random.Next(0, 50):D3}",
                CpuCores = Value(), GpuCores = Value(), MemoryMB = Value(),
            };
            if (u.CpuCores is null && u.GpuCores is null && u.MemoryMB is null) u.MemoryMB = 100 + i;
            updates.Add(u);
        }
        return updates;
    }

    private static List<ClusterTask> Tasks(string path)
    {
        using var s = ClusterSnapshot.Open(path);
        return s.FindTasks(new TaskQuery()).Items.ToList();
    }

    /// <summary>The same tasks in the same order, every field of the field table equal.</summary>
    private static void AssertSameTasks(string expected, string actual)
    {
        var (x, y) = (Tasks(expected), Tasks(actual));
        Assert.Equal(x.Select(t => t.Id), y.Select(t => t.Id));
        for (int i = 0; i < x.Count; i++) Assert.Empty(Schema.TaskFields.Table.Changed(x[i], y[i]));
    }

    [Fact]
    public void RandomResourceUpdates_LeaveTheStateAsTheGeneralPlannerDoes()
    {
        var random = new Random(15);
        using var dir = new TempDirectory();
        string columns = NewState(dir, random);
        string general = dir.Combine("general");
        Copy(columns, general);
        var options = new CommitOptions { Now = Now, CompactLogRecords = 0, CompactLogBytes = 0 };
        int committed = 0, refused = 0;
        for (int round = 0; round < 60; round++)
        {
            var updates = RandomUpdates(random);
            bool force = random.Next(3) == 0;
            var plain = new ChangeSet { Force = force };
            plain.UpdateTasks.AddRange(updates);
            // An empty Fields sets nothing and is not a resource update: the general planner's.
            var generalWay = new ChangeSet { Force = force };
            generalWay.UpdateTasks.AddRange(updates.Select(u => new TaskUpdate { Id = u.Id, CpuCores = u.CpuCores, GpuCores = u.GpuCores, MemoryMB = u.MemoryMB, Fields = new() }));
            using (var s = ClusterSnapshot.Open(columns))
            {
                var rows = s.Tasks;
                int Find(string id) => Enumerable.Range(0, rows.Count).FirstOrDefault(r => rows.Id.Get(r) == id, -1);
                Assert.Null(TaskResourceEdit.TryPlan(s, generalWay, Now, Find));
                try
                {
                    Assert.NotNull(TaskResourceEdit.TryPlan(s, plain, Now, Find));
                }
                catch (ClusterStateException)
                {
                    // refused: compared below
                }
            }
            var (a, b) = (Outcome(columns, plain, options), Outcome(general, generalWay, options));
            Assert.Equal(b, a);
            if (a is null) committed++;
            else refused++;
            AssertSameTasks(general, columns);
        }
        // Both kinds of outcome were compared.
        Assert.InRange(committed, 10, 60);
        Assert.InRange(refused, 5, 60);
    }

    private static string? Outcome(string path, ChangeSet changes, CommitOptions options)
    {
        try
        {
            StateStore.Commit(path, changes, options);
            return null;
        }
        catch (ClusterStateException e)
        {
            return $"{e.ErrorId}: {e.Message}";
        }
    }

    [Fact]
    public void ResourceUpdate_KeepsEveryOtherFieldAndSetsTheTime()
    {
        using var dir = new TempDirectory();
        string path = NewState(dir, new Random(3));
        ClusterTask Read(string id)
        {
            using var s = ClusterSnapshot.Open(path);
            return s.FindTasks(new TaskQuery { Id = [id] }).Items.Single();
        }
        // t044 lives in a log record, t010 in the base; twice in one change set: the second sees the first.
        var before = new[] { Read("t044"), Read("t010") };
        StateStore.Commit(path, new ChangeSet
        {
            Force = true,
            UpdateTasks = { new TaskUpdate { Id = "t044", CpuCores = 3 }, new TaskUpdate { Id = "t010", MemoryMB = 512 }, new TaskUpdate { Id = "t044", MemoryMB = 7 } },
        }, new CommitOptions { Now = Now });
        var after = new[] { Read("t044"), Read("t010") };
        for (int i = 0; i < 2; i++)
        {
            var changed = Schema.TaskFields.Table.Changed(before[i], after[i]).ToHashSet();
            Assert.Subset(new HashSet<string> { "updated_at", "resources" }, changed);
            Assert.Equal(Now, after[i].UpdatedAt);
        }
        Assert.Equal((3, 7), (after[0].CpuCores, after[0].MemoryMB));
        Assert.Equal(before[0].GpuCores, after[0].GpuCores);
        Assert.Equal(512, after[1].MemoryMB);
        Assert.Equal((before[1].CpuCores, before[1].GpuCores), (after[1].CpuCores, after[1].GpuCores));
    }
}
