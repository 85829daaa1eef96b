using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using ClusterState.Analysis; // TaskState here; main has moved it to ClusterState.Query
using ClusterState.Query;
using ClusterState.Storage;
using Xunit;

namespace ClusterState.Engine.Tests;

/// <summary>
/// The vocabularies of SPEC.md §1 have one definition (<see cref="Vocabularies"/>): it is pinned
/// to the spec here, its users are checked against it, and a scan of the engine's sources keeps
/// new copies from appearing.
/// </summary>
public class VocabularyTests
{
    // SPEC.md §1, copied by hand: "node role master|worker|leecher; node status
    // online|offline|draining; task status pending|assigned|running|completed|failed|cancelled".
    private static readonly string[] SpecNodeRoles = { "master", "worker", "leecher" };
    private static readonly string[] SpecNodeStatuses = { "online", "offline", "draining" };
    private static readonly string[] SpecTaskStatuses = { "pending", "assigned", "running", "completed", "failed", "cancelled" };

    [Fact]
    public void Vocabularies_AreThoseOfSpecSection1_InItsOrder()
    {
        Assert.Equal(SpecNodeRoles, Vocabularies.NodeRoles);
        Assert.Equal(SpecNodeStatuses, Vocabularies.NodeStatuses);
        Assert.Equal(SpecTaskStatuses, Vocabularies.TaskStatuses);
        Assert.Equal(new[] { "completed", "failed", "cancelled" }, Vocabularies.FinishedTaskStatuses);
        Assert.All(Vocabularies.FinishedTaskStatuses, s => Assert.Contains(s, Vocabularies.TaskStatuses));
    }

    [Fact]
    public void Vocabularies_CastToAnArray_CannotBeChanged()
    {
        Assert.IsNotType<string[]>(Vocabularies.TaskStatuses);
        Assert.True(((ICollection<string>)Vocabularies.NodeRoles).IsReadOnly);
    }

    [Fact]
    public void Utf8Forms_AreTheBytesOfTheStrings()
    {
        Assert.Equal(Vocabularies.TaskStatuses.Select(Encoding.UTF8.GetBytes), Vocabularies.TaskStatusesUtf8);
        Assert.Equal(Encoding.UTF8.GetBytes(Vocabularies.Master), Vocabularies.MasterUtf8);
        Assert.Equal(Encoding.UTF8.GetBytes(Vocabularies.Worker), Vocabularies.WorkerUtf8);
        Assert.Equal(Encoding.UTF8.GetBytes(Vocabularies.Leecher), Vocabularies.LeecherUtf8);
        Assert.Equal(Encoding.UTF8.GetBytes(Vocabularies.Online), Vocabularies.OnlineUtf8);
    }

    [Fact]
    public void TaskState_NamesTheTaskStatuses_InTheirOrder()
    {
        var names = Enum.GetValues<TaskState>().Where(s => s != TaskState.Other).OrderBy(s => (int)s).Select(s => s.ToString().ToLowerInvariant());
        Assert.Equal(Vocabularies.TaskStatuses, names);
    }

    [Fact]
    public void Classify_EveryTaskStatusInAnyAsciiCase_IsItsStateAndAnythingElseIsOther()
    {
        for (int k = 0; k < Vocabularies.TaskStatuses.Count; k++)
        {
            string status = Vocabularies.TaskStatuses[k];
            var expected = (TaskState)(k + 1);
            Assert.Equal(expected, TaskStatusBytes.Classify(Encoding.UTF8.GetBytes(status)));
            Assert.Equal(expected, TaskStatusBytes.Classify(Encoding.UTF8.GetBytes(status.ToUpperInvariant())));
            Assert.Equal(expected, TaskStatusBytes.Classify(Encoding.UTF8.GetBytes(char.ToUpperInvariant(status[0]) + status[1..])));
            Assert.Equal(TaskState.Other, TaskStatusBytes.Classify(Encoding.UTF8.GetBytes(status[..^1])));
            Assert.Equal(TaskState.Other, TaskStatusBytes.Classify(Encoding.UTF8.GetBytes(status + "x")));
        }
        foreach (var other in new[] { "", "x", "idle", "completes", "päending", "a-status-longer-than-any-in-the-vocabulary" })
            Assert.Equal(TaskState.Other, TaskStatusBytes.Classify(Encoding.UTF8.GetBytes(other)));
    }

    [Fact]
    public void Validation_AcceptsExactlyTheVocabularies()
    {
        foreach (var role in Vocabularies.NodeRoles)
            foreach (var status in Vocabularies.NodeStatuses)
                ChangeRules.Validate(new ClusterNode { Id = "n", Role = role, Status = status }, force: false);
        foreach (var status in Vocabularies.TaskStatuses)
            ChangeRules.Validate(new ClusterTask { Id = "t", Status = status, AssignedTo = "n" }, force: false, _ => true, checkAssignment: true);

        // Ordinal: another case is outside the vocabulary (kept only with Force).
        foreach (var role in new[] { "Worker", "idle" })
        {
            var e = Assert.Throws<ClusterStateException>(() => ChangeRules.Validate(new ClusterNode { Id = "n", Role = role, Status = Vocabularies.Online }, force: false));
            Assert.Equal(ErrorIds.UnknownRole, e.ErrorId);
            Assert.Contains(string.Join(", ", Vocabularies.NodeRoles), e.Message, StringComparison.Ordinal);
            ChangeRules.Validate(new ClusterNode { Id = "n", Role = role, Status = Vocabularies.Online }, force: true);
        }
        var node = Assert.Throws<ClusterStateException>(() => ChangeRules.Validate(new ClusterNode { Id = "n", Role = Vocabularies.Worker, Status = "Online" }, force: false));
        Assert.Equal(ErrorIds.UnknownStatus, node.ErrorId);
        var task = Assert.Throws<ClusterStateException>(() => ChangeRules.Validate(new ClusterTask { Id = "t", Status = "done" }, force: false, _ => true, checkAssignment: true));
        Assert.Equal(ErrorIds.UnknownStatus, task.ErrorId);
        Assert.Contains(string.Join(", ", Vocabularies.TaskStatuses), task.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Completion_OfAStateWithoutRows_OffersExactlyTheVocabularies()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("s");
        StateStore.Create(path, new StateContent { ClusterId = "c" });
        using var s = ClusterSnapshot.Open(path);
        Assert.Equal(Vocabularies.NodeRoles, ValueCompletion.NodeRoles(s));
        Assert.Equal(Vocabularies.NodeStatuses, ValueCompletion.NodeStatuses(s));
        Assert.Equal(Vocabularies.TaskStatuses, ValueCompletion.TaskStatuses(s));
    }

    [Fact]
    public void Completion_OfAStateWithOtherValues_OffersTheVocabularyThenThem()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("s");
        StateStore.Create(path, new StateContent
        {
            ClusterId = "c",
            Nodes = new[] { new ClusterNode { Id = "n1", Role = "relay", Status = "ONLINE" } },
            Tasks = new[] { new ClusterTask { Id = "t1", Status = "paused" } },
        });
        using var s = ClusterSnapshot.Open(path);
        Assert.Equal(Vocabularies.NodeRoles.Append("relay"), ValueCompletion.NodeRoles(s));
        Assert.Equal(Vocabularies.NodeStatuses, ValueCompletion.NodeStatuses(s)); // ONLINE is online, ignoring case
        Assert.Equal(Vocabularies.TaskStatuses.Append("paused"), ValueCompletion.TaskStatuses(s));
    }

    [Fact]
    public void StatusSummary_CountsEachRoleAndTheOnlineNodes_ByTheVocabulary()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("s");
        var nodes = Vocabularies.NodeRoles.SelectMany(role => Vocabularies.NodeStatuses.Select(status => new ClusterNode { Id = role + "-" + status, Role = role, Status = status }))
            .Append(new ClusterNode { Id = "odd", Role = "Worker", Status = "Online" }) // the summary compares exactly
            .ToArray();
        StateStore.Create(path, new StateContent { ClusterId = "c", Nodes = nodes });
        using var s = ClusterSnapshot.Open(path);
        var status = ClusterAnalysis.GetStatus(s);
        int perRole = Vocabularies.NodeStatuses.Count;
        Assert.Equal((perRole, perRole, perRole), (status.Masters, status.Workers, status.Leechers));
        Assert.Equal(Vocabularies.NodeRoles.Count, status.NodesActive);
    }

    [Fact]
    public void SampleCluster_UsesOnlyTheVocabularies_AndEveryTaskStatus()
    {
        var sample = TestStates.Sample(nodes: 60, tasks: 3000, content: 10);
        Assert.All(sample.Nodes, n => Assert.Contains(n.Role, Vocabularies.NodeRoles));
        Assert.All(sample.Nodes, n => Assert.Contains(n.Status, Vocabularies.NodeStatuses));
        Assert.Equal(Vocabularies.NodeRoles.OrderBy(r => r, StringComparer.Ordinal), sample.Nodes.Select(n => n.Role!).Distinct().OrderBy(r => r, StringComparer.Ordinal));
        var statuses = sample.ToStateContent().Tasks.Select(t => t.Status!).Distinct().OrderBy(s => s, StringComparer.Ordinal);
        Assert.Equal(Vocabularies.TaskStatuses.OrderBy(s => s, StringComparer.Ordinal), statuses);
    }

    /// <summary>
    /// Files of src/ClusterState.Engine that may spell a vocabulary value as a string literal, and
    /// why. Everything else names <see cref="Vocabularies"/>.
    /// </summary>
    private static readonly Dictionary<string, string> AllowedLiterals = new(StringComparer.Ordinal)
    {
        ["Schema/Vocabularies.cs"] = "the one definition",
    };

    private static readonly Regex VocabularyLiteral = new(
        "\"(" + string.Join("|", SpecNodeRoles.Concat(SpecNodeStatuses).Concat(SpecTaskStatuses)) + ")\"",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    [Fact]
    public void EngineSources_SpellVocabularyValuesOnlyInVocabularies()
    {
        string engine = EngineSourceDirectory();
        var found = new List<string>();
        foreach (var file in Directory.EnumerateFiles(engine, "*.cs", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(engine, file).Replace(Path.DirectorySeparatorChar, '/');
            if (relative.StartsWith("bin/", StringComparison.Ordinal) || relative.StartsWith("obj/", StringComparison.Ordinal)) continue;
            if (AllowedLiterals.ContainsKey(relative)) continue;
            var lines = File.ReadAllLines(file);
            for (int i = 0; i < lines.Length; i++)
            {
                // Comments may quote values (a metrics label, an example); code may not.
                if (lines[i].TrimStart().StartsWith("//", StringComparison.Ordinal)) continue;
                foreach (Match m in VocabularyLiteral.Matches(lines[i])) found.Add($"{relative}:{i + 1}: {m.Value}");
            }
        }
        Assert.True(found.Count == 0,
            "Vocabulary values spelled outside Schema/Vocabularies.cs (use Vocabularies.<Value>, or list the file in AllowedLiterals with a reason):\n" + string.Join("\n", found));
    }

    [Fact]
    public void EngineSourceScan_FindsTheDefinition()
    {
        // Guards the guard: a wrong directory or pattern would make the scan above pass vacuously.
        string definition = File.ReadAllText(Path.Combine(EngineSourceDirectory(), "Schema", "Vocabularies.cs"));
        Assert.Equal(SpecNodeRoles.Length + SpecNodeStatuses.Length + SpecTaskStatuses.Length, VocabularyLiteral.Count(definition));
    }

    // tests/ClusterState.Engine.Tests/bin/<Configuration>/<framework> -> up to the repository, which holds src/ClusterState.Engine.
    private static string EngineSourceDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string engine = Path.Combine(dir.FullName, "src", "ClusterState.Engine");
            if (File.Exists(Path.Combine(engine, "ClusterState.Engine.csproj"))) return engine;
        }
        throw new DirectoryNotFoundException("src/ClusterState.Engine was not found above " + AppContext.BaseDirectory);
    }
}
