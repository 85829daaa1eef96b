using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Runtime.InteropServices;
using System.IO;
using System.Net;
using System.Net.Sockets;

namespace ClusterState;

/// <summary>
/// A ClusterState server process (src/ClusterState.Server) started, found or stopped from this
/// process. The server runs as its own process because hosting ASP.NET Core inside pwsh is
/// fragile; it prints <c>listening URI</c> once it answers, which is what <see cref="Start"/> waits for.
/// </summary>
public sealed class ServerHost
{
    // Servers this process started: recognised on every platform, also where /proc cannot tell.
    private static readonly ConcurrentDictionary<int, string> Started = new();

    private ServerHost(int processId, string uri)
    {
        ProcessId = processId;
        Uri = uri;
    }

    /// <summary>The server's process id.</summary>
    public int ProcessId { get; }

    /// <summary>The address it printed, e.g. grpc://127.0.0.1:50051.</summary>
    public string Uri { get; }

    /// <summary>Where it answers GET /metrics (its /healthz beside it); null without a metrics port.</summary>
    public string? MetricsUri { get; private init; }

    /// <summary>
    /// The server program shipped beside the engine: the self-contained build for this platform
    /// (server/&lt;rid&gt;/ClusterState.Server, which <c>build.ps1 Package</c> adds and which needs
    /// no .NET on the machine) when the module has one, else server/ClusterState.Server.dll (run
    /// by the dotnet host, which needs the ASP.NET Core shared framework); ServerFailed when
    /// neither is there.
    /// </summary>
    public static string LocateProgram()
    {
        string server = Path.Combine(Path.GetDirectoryName(typeof(ServerHost).Assembly.Location)!, "server");
        string native = Path.Combine(server, PlatformRuntimeIdentifier(), OperatingSystem.IsWindows() ? "ClusterState.Server.exe" : "ClusterState.Server");
        if (File.Exists(native)) return native;
        string program = Path.Combine(server, "ClusterState.Server.dll");
        if (!File.Exists(program))
            throw new ClusterStateException(ErrorIds.ServerFailed, ClusterStateErrorKind.NotFound, $"The server program is missing from the module: neither '{native}' nor '{program}' exists.", program);
        return program;
    }

    /// <summary>
    /// The runtime identifier of the self-contained server this process can run: linux-x64,
    /// linux-musl-arm64, osx-arm64, win-x64 and so on (the portable names <c>dotnet publish -r</c> takes).
    /// </summary>
    public static string PlatformRuntimeIdentifier()
    {
        string os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx"
            // .NET built for musl (Alpine images) says so in its own identifier.
            : RuntimeInformation.RuntimeIdentifier.Contains("musl", StringComparison.Ordinal) ? "linux-musl" : "linux";
        return os + "-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
    }

    /// <summary>A TCP port that is free on <paramref name="bind"/> now.</summary>
    public static int FreePort(IPAddress bind)
    {
        var listener = new TcpListener(bind, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>
    /// Starts a server and returns once it answers; ServerFailed (with what it wrote to standard
    /// error) when it exits or stays silent for <see cref="ServerHostOptions.StartTimeout"/>.
    /// </summary>
    public static ServerHost Start(ServerHostOptions options)
    {
        string program = options.Program ?? LocateProgram();
        int port = options.Port != 0 ? options.Port : FreePort(options.BindAddress);
        bool dll = program.EndsWith(".dll", StringComparison.OrdinalIgnoreCase);
        if (!dll) EnsureExecutable(program);
        var start = new ProcessStartInfo(dll ? DotnetHost() : program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (dll) start.ArgumentList.Add(program);
        foreach (var a in new[] { "--state", options.StateDirectory, "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", options.BindAddress.ToString(),
                     "--chunk-rows", options.ChunkRows.ToString(CultureInfo.InvariantCulture), "--max-request-mb", options.MaxRequestMB.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(a);
        if (options.ParentProcessId is int parent)
        {
            start.ArgumentList.Add("--parent-pid");
            start.ArgumentList.Add(parent.ToString(CultureInfo.InvariantCulture));
        }
        if (options.MetricsPort is int metrics)
        {
            start.ArgumentList.Add("--metrics-port");
            start.ArgumentList.Add((metrics != 0 ? metrics : FreePort(options.BindAddress)).ToString(CultureInfo.InvariantCulture));
            if (options.MetricsRequireToken) start.ArgumentList.Add("--metrics-token");
        }
        // The token travels in the environment, not on the command line other users can read.
        start.Environment["CLUSTERSTATE_SERVER_TOKEN"] = options.Token;
        if (options.Certificate is not null)
        {
            start.ArgumentList.Add("--certificate");
            start.ArgumentList.Add(options.Certificate);
            if (options.CertificatePassword is not null) start.Environment["CLUSTERSTATE_SERVER_CERTIFICATE_PASSWORD"] = options.CertificatePassword;
        }
        var process = Process.Start(start) ?? throw new ClusterStateException(ErrorIds.ServerFailed, ClusterStateErrorKind.ResourceUnavailable, "The server process did not start.", program);
        var errors = process.StandardError.ReadToEndAsync();
        string? metricsUri = null;
        string? listening = null;
        var deadline = Stopwatch.StartNew();
        while (listening is null)
        {
            var line = process.StandardOutput.ReadLineAsync();
            var left = options.StartTimeout - deadline.Elapsed;
            if (left <= TimeSpan.Zero || !line.Wait(left) || line.Result is not string text) break;
            if (text.StartsWith("metrics ", StringComparison.Ordinal)) metricsUri = text["metrics ".Length..];
            else if (text.StartsWith("listening ", StringComparison.Ordinal)) listening = text["listening ".Length..];
            else break;
        }
        if (listening is null)
        {
            string error = process.WaitForExit(2000) && errors.Wait(2000) ? errors.Result : "no answer in time";
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new ClusterStateException(ErrorIds.ServerFailed, ClusterStateErrorKind.ResourceUnavailable, $"The Arrow Flight server did not start: {error.Trim()}", options.StateDirectory);
        }
        // Keep reading its output so the pipes never fill up.
        _ = process.StandardOutput.ReadToEndAsync();
        Started[process.Id] = program;
        return new ServerHost(process.Id, listening) { MetricsUri = metricsUri };
    }

    // A zip (the nupkg PSResourceGet installs) does not carry the execute bit. The owner of an
    // installed module may set it; anyone else is told what to run.
    private static void EnsureExecutable(string program)
    {
        if (OperatingSystem.IsWindows()) return;
        var mode = File.GetUnixFileMode(program);
        if ((mode & UnixFileMode.UserExecute) != 0) return;
        try
        {
            File.SetUnixFileMode(program, mode | UnixFileMode.UserExecute | (mode.HasFlag(UnixFileMode.GroupRead) ? UnixFileMode.GroupExecute : 0) | (mode.HasFlag(UnixFileMode.OtherRead) ? UnixFileMode.OtherExecute : 0));
        }
        catch (UnauthorizedAccessException)
        {
            throw new ClusterStateException(ErrorIds.ServerFailed, ClusterStateErrorKind.PermissionDenied,
                $"The server program '{program}' is not executable and belongs to another user; its owner can run: chmod +x '{program}'.", program);
        }
    }

    /// <summary>
    /// The running ClusterState server with this process id (dispose it); ServerNotFound when no
    /// process has the id or the process is not a ClusterState server.
    /// </summary>
    public static Process Find(int processId)
    {
        Process process;
        try
        {
            process = Process.GetProcessById(processId);
        }
        catch (ArgumentException)
        {
            throw new ClusterStateException(ErrorIds.ServerNotFound, ClusterStateErrorKind.NotFound, $"No process {processId} is running.", processId);
        }
        if (IsServer(process)) return process;
        string name = process.ProcessName;
        process.Dispose();
        throw new ClusterStateException(ErrorIds.ServerNotFound, ClusterStateErrorKind.InvalidArgument, $"Process {processId} ({name}) is not a ClusterState server.", processId);
    }

    /// <summary>Ends a server process (and anything it started) and waits up to 10 s for it to exit.</summary>
    public static void Stop(Process server)
    {
        server.Kill(entireProcessTree: true);
        server.WaitForExit(10_000);
        Started.TryRemove(server.Id, out _);
    }

    // Started by this process, or (on Linux) running the server program: /proc tells for servers
    // other sessions started, so Stop-ClusterStateServer never kills an unrelated process.
    private static bool IsServer(Process process)
    {
        if (Started.ContainsKey(process.Id)) return true;
        try
        {
            string cmdline = $"/proc/{process.Id}/cmdline";
            // The program is argv[0] (self-contained build) or argv[1] (dll under the dotnet host).
            if (!File.Exists(cmdline)) return false;
            var argv = File.ReadAllText(cmdline).Split('\0');
            return argv.Take(2).Any(a => Path.GetFileName(a) is "ClusterState.Server" or "ClusterState.Server.dll");
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static string DotnetHost()
    {
        // pwsh as a dotnet tool runs under the dotnet host; otherwise find dotnet on the PATH.
        string? current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current).Equals("dotnet", StringComparison.OrdinalIgnoreCase)) return current;
        string? root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        if (root is not null && File.Exists(Path.Combine(root, "dotnet"))) return Path.Combine(root, "dotnet");
        return "dotnet";
    }
}
