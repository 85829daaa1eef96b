using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace ClusterState.PowerShell.Commands;

/// <summary>A running Arrow Flight server (Start-ClusterStateServer).</summary>
public sealed class ClusterStateServerInfo
{
    /// <summary>The address clients connect to, e.g. grpc://127.0.0.1:50051.</summary>
    public string Uri { get; set; } = "";
    /// <summary>The server's process id.</summary>
    public int ProcessId { get; set; }
    /// <summary>The state directory it serves.</summary>
    public string StatePath { get; set; } = "";
    /// <summary>The bearer token clients must send.</summary>
    public string Token { get; set; } = "";
    /// <summary>True when the server stops with the pwsh session that started it (-StopWithSession); false: it runs until Stop-ClusterStateServer.</summary>
    public bool StopsWithSession { get; set; }
    /// <summary>The largest request (a change set) it accepts, in MiB.</summary>
    public int MaxRequestMB { get; set; }

    /// <inheritdoc />
    public override string ToString() => Uri;
}

/// <summary>
/// <para type="synopsis">Starts an Arrow Flight server for a state directory as its own process and returns its address.</para>
/// <para type="description">Start-ClusterStateServer starts the module's Arrow Flight server (server/ClusterState.Server.dll, an ASP.NET Core program on gRPC h2c) for the state, waits until it answers, and returns an object with its Uri, ProcessId, StatePath and Token. It binds to 127.0.0.1 unless -BindAddress says otherwise, every call needs the bearer token (-Token, or a random one it generates), and with -Certificate it serves TLS (grpc+tls://). Connect-ClusterState -Uri makes every cmdlet of another session (or machine) work on it; its output pipes into Connect-ClusterState. Flights: state (the whole one-row state), nodes, tasks and content (one row per item, streamed in chunks of at most -ChunkRows rows and 3 MiB, so clients with gRPC's default 4 MiB receive limit read them); any Arrow Flight client (pyarrow.flight, Java, C++, Rust, Go, .NET) reads them; see docs/FORMAT.md. The server is its own process and, by design, outlives the pwsh that started it (a service other sessions use): stop it with Stop-ClusterStateServer, or give -StopWithSession to have it stop when this session's process ends (the returned object says which). Requests are bounded (docs/OPERATIONS.md): a change set larger than -MaxRequestMB is refused with RequestTooLarge and nothing is written.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "ClusterStateServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(ClusterStateServerInfo))]
public sealed class StartClusterStateServerCommand : StateCmdlet
{
    /// <summary><para type="description">The TCP port (default: a free one).</para></summary>
    [Parameter]
    [ValidateRange(0, 65535)]
    public int Port { get; set; }

    /// <summary><para type="description">The address to listen on (default 127.0.0.1: loopback only).</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string BindAddress { get; set; } = "127.0.0.1";

    /// <summary><para type="description">The bearer token clients must send (default: a new random token).</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Token { get; set; }

    /// <summary><para type="description">Rows per streamed chunk of the nodes, tasks and content flights (default 16384).</para></summary>
    [Parameter]
    [ValidateRange(1, 1_048_576)]
    public int ChunkRows { get; set; } = 16_384;

    /// <summary><para type="description">Serve TLS (grpc+tls://) with this certificate and private key (a .pfx file); without it the server speaks h2c, which is meant for loopback.</para></summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Certificate { get; set; }

    /// <summary><para type="description">The password of the -Certificate file.</para></summary>
    [Parameter]
    public System.Security.SecureString? CertificatePassword { get; set; }

    /// <summary><para type="description">Stop the server when the process of this pwsh session ends (by default it runs until Stop-ClusterStateServer).</para></summary>
    [Parameter]
    public SwitchParameter StopWithSession { get; set; }

    /// <summary><para type="description">The largest request the server accepts, in MiB (default 64; a change set of 20,000 tasks is about 10 MiB). Larger change sets are refused with RequestTooLarge before anything is written.</para></summary>
    [Parameter]
    [ValidateRange(1, RequestLimits.MaxRequestMBLimit)]
    public int MaxRequestMB { get; set; } = RequestLimits.DefaultMaxRequestMB;

    /// <summary><para type="description">Seconds to wait for the server to answer (default 30).</para></summary>
    [Parameter]
    [ValidateRange(1, 600)]
    public int TimeoutSeconds { get; set; } = 30;

    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() =>
    {
        string dir = ResolveStateDirectory(StatePath);
        using (ClusterSnapshot.Open(dir)) { } // a missing or broken state fails here, with its own error
        if (!IPAddress.TryParse(BindAddress, out var bind))
            throw new ClusterStateException(ErrorIds.InvalidArgument, ClusterStateErrorKind.InvalidArgument, $"'{BindAddress}' is not an IP address.", BindAddress);
        int port = Port != 0 ? Port : FreePort(bind);
        string token = Token ?? Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        string server = Path.Combine(Path.GetDirectoryName(typeof(StartClusterStateServerCommand).Assembly.Location)!, "server", "ClusterState.Server.dll");
        if (!File.Exists(server))
            throw new ClusterStateException(ErrorIds.ServerFailed, ClusterStateErrorKind.NotFound, $"The server program '{server}' is missing from the module.", server);
        string? certificate = Certificate is null ? null : ResolveUserPath(Certificate);
        if (certificate is not null && !File.Exists(certificate))
            throw new ClusterStateException(ErrorIds.InvalidArgument, ClusterStateErrorKind.NotFound, $"The certificate file '{certificate}' does not exist.", certificate);
        if (!ShouldProcess(dir, $"Start an Arrow Flight server on {bind}:{port}")) return;

        var start = new ProcessStartInfo(DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { server, "--state", dir, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", bind.ToString(), "--chunk-rows", ChunkRows.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--max-request-mb", MaxRequestMB.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(a);
        if (StopWithSession)
        {
            start.ArgumentList.Add("--parent-pid");
            start.ArgumentList.Add(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        // The token travels in the environment, not on the command line other users can read.
        start.Environment["CLUSTERSTATE_SERVER_TOKEN"] = token;
        if (certificate is not null)
        {
            start.ArgumentList.Add("--certificate");
            start.ArgumentList.Add(certificate);
            if (CertificatePassword is not null)
                start.Environment["CLUSTERSTATE_SERVER_CERTIFICATE_PASSWORD"] = new NetworkCredential("", CertificatePassword).Password;
        }
        var process = Process.Start(start) ?? throw new ClusterStateException(ErrorIds.ServerFailed, ClusterStateErrorKind.ResourceUnavailable, "The server process did not start.", server);
        var line = process.StandardOutput.ReadLineAsync();
        var errors = process.StandardError.ReadToEndAsync();
        if (!line.Wait(TimeSpan.FromSeconds(TimeoutSeconds)) || line.Result is not string listening || !listening.StartsWith("listening ", StringComparison.Ordinal))
        {
            string error = process.WaitForExit(2000) && errors.Wait(2000) ? errors.Result : "no answer in time";
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            throw new ClusterStateException(ErrorIds.ServerFailed, ClusterStateErrorKind.ResourceUnavailable, $"The Arrow Flight server did not start: {error.Trim()}", dir);
        }
        // Keep reading its output so the pipes never fill up.
        _ = process.StandardOutput.ReadToEndAsync();
        ServerRegistry.Started[process.Id] = server;
        WriteObject(new ClusterStateServerInfo
        {
            Uri = listening["listening ".Length..], ProcessId = process.Id, StatePath = dir, Token = token,
            StopsWithSession = StopWithSession, MaxRequestMB = MaxRequestMB,
        });
    });

    private static int FreePort(IPAddress bind)
    {
        var listener = new TcpListener(bind, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
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

/// <summary>
/// <para type="synopsis">Stops an Arrow Flight server started by Start-ClusterStateServer.</para>
/// <para type="description">Stop-ClusterStateServer ends the server process (the objects of Start-ClusterStateServer bind by ProcessId). Commits the server was making are complete or not made at all (the state directory's commit rules); clients connected to it get ServerUnavailable until a server answers again.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "ClusterStateServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
public sealed class StopClusterStateServerCommand : ClusterStateCmdlet
{
    /// <summary><para type="description">The server's process id.</para></summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Id")]
    public int ProcessId { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() =>
    {
        Process process;
        try
        {
            process = Process.GetProcessById(ProcessId);
        }
        catch (ArgumentException)
        {
            WriteError(new ErrorRecord(new ArgumentException($"No process {ProcessId} is running."), ErrorIds.ServerNotFound, ErrorCategory.ObjectNotFound, ProcessId));
            return;
        }
        using (process)
        {
            if (!ServerRegistry.IsServer(process))
            {
                WriteError(new ErrorRecord(new InvalidOperationException($"Process {ProcessId} ({process.ProcessName}) is not a ClusterState server."), ErrorIds.ServerNotFound, ErrorCategory.InvalidArgument, ProcessId));
                return;
            }
            if (!ShouldProcess($"process {ProcessId}", "Stop the Arrow Flight server")) return;
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
    });
}

/// <summary>Which processes are ClusterState servers: started by this session, or (on Linux) running the server program.</summary>
internal static class ServerRegistry
{
    public static readonly System.Collections.Concurrent.ConcurrentDictionary<int, string> Started = new();

    public static bool IsServer(Process process)
    {
        if (Started.ContainsKey(process.Id)) return true;
        try
        {
            string cmdline = $"/proc/{process.Id}/cmdline";
            return File.Exists(cmdline) && File.ReadAllText(cmdline).Contains("ClusterState.Server.dll", StringComparison.Ordinal);
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
}
