using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Apache.Arrow.Flight.Client;
using Grpc.Core;
using Grpc.Net.Client;

namespace ClusterState.Engine.Tests;

/// <summary>A ClusterState.Server process on loopback for one test class: its address, a client, its log and its memory.</summary>
internal sealed class ServerProcess : IDisposable
{
    public const string Token = "test-token-5b1f";
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private volatile bool _disposing;

    public ServerProcess(string state, params string[] extra) : this(Token, state, extra)
    {
    }

    /// <summary>A server that wants another token than <see cref="Token"/>.</summary>
    public static ServerProcess WithToken(string token, string state, params string[] extra) => new(token, state, extra);

    private ServerProcess(string token, string state, string[] extra)
    {
        int port = FreePort();
        string server = Program;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { server, "--state", state, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--token", token })
            start.ArgumentList.Add(a);
        foreach (var a in extra) start.ArgumentList.Add(a);
        _process = Process.Start(start)!;
        var line = _process.StandardOutput.ReadLineAsync();
        _process.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _process.BeginErrorReadLine();
        if (!line.Wait(TimeSpan.FromSeconds(60)) || line.Result is null)
            throw new InvalidOperationException("The server did not start: " + Log);
        Listening = line.Result;
        _ = _process.StandardOutput.ReadToEndAsync();
        Uri = $"grpc://127.0.0.1:{port}";
        Address = $"http://127.0.0.1:{port}";
        _process.EnableRaisingEvents = true;
        _process.Exited += (_, _) =>
        {
            // A server that ends during the tests leaves its log where a failed run can be read.
            if (_disposing) return;
            try { File.WriteAllText(Path.Combine(Path.GetTempPath(), $"clusterstate-server-{port}.log"), $"exit {_process.ExitCode}\n{Log}"); }
            catch (IOException) { }
        };
        Channel = NewChannel();
        Client = new FlightClient(Channel);
    }

    /// <summary>The server program this test build runs.</summary>
    public static string Program
    {
        get
        {
            // tests/ClusterState.Engine.Tests/bin/<Configuration>/net10.0 -> src/ClusterState.Server/bin/<Configuration>/net10.0
            var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            string configuration = output.Parent!.Name;
            return Path.GetFullPath(Path.Combine(output.FullName, "../../../../../src/ClusterState.Server/bin", configuration, "net10.0/ClusterState.Server.dll"));
        }
    }

    public string Uri { get; }

    /// <summary>The line the server printed when it answered (<c>listening grpc://…</c>).</summary>
    public string Listening { get; }

    public string Address { get; }

    public GrpcChannel Channel { get; }

    public FlightClient Client { get; }

    public Process Process => _process;

    /// <summary>What the server wrote to standard error.</summary>
    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    /// <summary>The server's resident memory in bytes (VmRSS), read from /proc.</summary>
    public long ResidentBytes
    {
        get
        {
            foreach (var line in File.ReadAllLines($"/proc/{_process.Id}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
            }
            return 0;
        }
    }

    /// <summary>A channel with gRPC's default limits (4 MiB received per message), as a stranger's client has.</summary>
    public GrpcChannel NewChannel() => GrpcChannel.ForAddress(Address);

    public static Metadata Auth(string token = Token) => new() { { "authorization", "Bearer " + token } };

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public void Dispose()
    {
        _disposing = true;
        Channel.Dispose();
        try { _process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _process.WaitForExit(10_000);
        _process.Dispose();
    }
}
