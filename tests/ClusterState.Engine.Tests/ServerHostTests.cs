using System;
using System.Diagnostics;
using Xunit;

namespace ClusterState.Engine.Tests;

/// <summary>ServerHost: starting, recognising and stopping server processes, without PowerShell.</summary>
public class ServerHostTests
{
    [Fact]
    public void Start_ThenFindAndStop_RunsTheServerUntilStopped()
    {
        using var dir = new TempDirectory();
        string path = TestStates.Create(dir, TestStates.Sample(nodes: 5, tasks: 20, content: 5));
        string token = "t-" + Guid.NewGuid().ToString("N");
        var host = ServerHost.Start(new ServerHostOptions { Program = ServerProcess.Program, StateDirectory = path, Token = token });
        using var process = ServerHost.Find(host.ProcessId);
        try
        {
            Assert.StartsWith("grpc://127.0.0.1:", host.Uri, StringComparison.Ordinal);
            // The token reached the server through the environment: it answers with the state's metadata.
            var remote = RemoteState.Connect(host.Uri, new RemoteOptions { Token = token });
            Assert.Equal(StateMetadata.Read(path).Generation, remote.ReadMetadata().Generation);
        }
        finally
        {
            ServerHost.Stop(process);
        }
        Assert.True(process.HasExited);
        Assert.Equal(ErrorIds.ServerNotFound, Assert.Throws<ClusterStateException>(() => ServerHost.Find(host.ProcessId)).ErrorId);
    }

    [Fact]
    public void Start_ProgramThatDoesNotAnswer_ThrowsServerFailedWithItsError()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<ClusterStateException>(() => ServerHost.Start(new ServerHostOptions
        {
            Program = dir.Combine("missing.dll"), StateDirectory = dir.Path, Token = "t", StartTimeout = TimeSpan.FromSeconds(20),
        }));
        Assert.Equal(ErrorIds.ServerFailed, e.ErrorId);
        Assert.StartsWith("The Arrow Flight server did not start: ", e.Message, StringComparison.Ordinal);
        Assert.Equal(dir.Path, e.Target);
    }

    [Fact]
    public void Find_ProcessThatIsNotAServer_ThrowsServerNotFound()
    {
        var e = Assert.Throws<ClusterStateException>(() => ServerHost.Find(Environment.ProcessId));
        Assert.Equal(ErrorIds.ServerNotFound, e.ErrorId);
        Assert.Equal(ClusterStateErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("is not a ClusterState server", e.Message, StringComparison.Ordinal);
        // The test process is still alive: nothing was stopped.
        Assert.False(Process.GetCurrentProcess().HasExited);
    }

    [Fact]
    public void Find_NoSuchProcess_ThrowsServerNotFound()
    {
        var e = Assert.Throws<ClusterStateException>(() => ServerHost.Find(int.MaxValue));
        Assert.Equal(ErrorIds.ServerNotFound, e.ErrorId);
        Assert.Equal(ClusterStateErrorKind.NotFound, e.Kind);
        Assert.Equal(int.MaxValue, e.Target);
    }
}
