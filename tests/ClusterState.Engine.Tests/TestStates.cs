using System;
using System.IO;

namespace ClusterState.Engine.Tests;

/// <summary>Temporary state directories, removed after the test.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "clusterstate-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

internal static class TestStates
{
    public static SampleCluster Sample(int nodes = 40, int tasks = 2000, int content = 500, int seed = 7) =>
        new(new SampleOptions { NodeCount = nodes, TaskCount = tasks, ContentCount = content, Seed = seed });

    public static string Create(TempDirectory dir, SampleCluster sample, string name = "state", int schemaVersion = ClusterSchema.CurrentVersion)
    {
        string path = dir.Combine(name);
        StateStore.Create(path, sample.ToStateContent(), new CreateStateOptions { SchemaVersion = schemaVersion });
        return path;
    }
}

/// <summary>One shared sample state for read-only tests.</summary>
public sealed class SampleStateFixture : IDisposable
{
    private readonly TempDirectory _dir = new();

    public SampleStateFixture()
    {
        Sample = TestStates.Sample();
        Path = TestStates.Create(_dir, Sample);
    }

    public SampleCluster Sample { get; }

    public string Path { get; }

    public void Dispose() => _dir.Dispose();
}
