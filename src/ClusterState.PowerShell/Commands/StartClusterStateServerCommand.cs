using System;
using System.IO;
using System.Management.Automation;
using System.Net;
using System.Security.Cryptography;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Starts an Arrow Flight server for a state directory as its own process and returns its address.</para>
/// <para type="description">Start-ClusterStateServer starts the module's Arrow Flight server (an ASP.NET Core program on gRPC h2c: the self-contained build for this platform that the installed package carries in server/RID/, else server/ClusterState.Server.dll run by dotnet) for the state, waits until it answers, and returns an object with its Uri, ProcessId, StatePath and Token. It binds to 127.0.0.1 unless -BindAddress says otherwise, every call needs the bearer token (-Token, or a random one it generates), and with -Certificate it serves TLS (grpc+tls://). Connect-ClusterState -Uri makes every cmdlet of another session (or machine) work on it; its output pipes into Connect-ClusterState. Flights: state (the whole one-row state), nodes, tasks and content (one row per item, streamed in chunks of at most -ChunkRows rows and 3 MiB, so clients with gRPC's default 4 MiB receive limit read them); any Arrow Flight client (pyarrow.flight, Java, C++, Rust, Go, .NET) reads them; see docs/FORMAT.md. The server is its own process and, by design, outlives the pwsh that started it (a service other sessions use): stop it with Stop-ClusterStateServer, or give -StopWithSession to have it stop when this session's process ends (the returned object says which). Requests are bounded (docs/OPERATIONS.md): a change set larger than -MaxRequestMB is refused with RequestTooLarge and nothing is written.</para>
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

    /// <summary><para type="description">Also answer GET /metrics (the metrics of Export-ClusterMetric in the Prometheus text format) and GET /healthz (200 "ok generation N" while the state reads, else 503 with the ErrorId) over HTTP/1.1 on this port, at the same address and with the same certificate (0: a free port). The returned object's MetricsUri names it. Prometheus scrapes it; no token is needed unless -MetricsRequireToken.</para></summary>
    [Parameter]
    [ValidateRange(0, 65535)]
    public int MetricsPort { get; set; }

    /// <summary><para type="description">GET /metrics needs the bearer token too (authorization: Bearer; Prometheus's authorization.credentials_file). /healthz never does.</para></summary>
    [Parameter]
    public SwitchParameter MetricsRequireToken { get; set; }

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
        int port = Port != 0 ? Port : ServerHost.FreePort(bind);
        string token = Token ?? Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        string server = ServerHost.LocateProgram();
        string? certificate = Certificate is null ? null : ResolveUserPath(Certificate);
        if (certificate is not null && !File.Exists(certificate))
            throw new ClusterStateException(ErrorIds.InvalidArgument, ClusterStateErrorKind.NotFound, $"The certificate file '{certificate}' does not exist.", certificate);
        bool metrics = MyInvocation.BoundParameters.ContainsKey(nameof(MetricsPort));
        if (MetricsRequireToken && !metrics)
            throw new ClusterStateException(ErrorIds.InvalidArgument, ClusterStateErrorKind.InvalidArgument, "-MetricsRequireToken needs -MetricsPort.", nameof(MetricsRequireToken));
        if (metrics && MetricsPort != 0 && MetricsPort == port)
            throw new ClusterStateException(ErrorIds.InvalidArgument, ClusterStateErrorKind.InvalidArgument, $"-MetricsPort must differ from the Flight port {port}.", MetricsPort);
        if (!ShouldProcess(dir, $"Start an Arrow Flight server on {bind}:{port}")) return;

        var host = ServerHost.Start(new ServerHostOptions
        {
            Program = server, StateDirectory = dir, BindAddress = bind, Port = port, Token = token, ChunkRows = ChunkRows, MaxRequestMB = MaxRequestMB,
            Certificate = certificate,
            CertificatePassword = CertificatePassword is null ? null : new NetworkCredential("", CertificatePassword).Password,
            ParentProcessId = StopWithSession ? Environment.ProcessId : null,
            StartTimeout = TimeSpan.FromSeconds(TimeoutSeconds),
            MetricsPort = metrics ? MetricsPort : null, MetricsRequireToken = MetricsRequireToken,
        });
        WriteObject(new ClusterStateServerInfo
        {
            Uri = host.Uri, ProcessId = host.ProcessId, StatePath = dir, Token = token,
            StopsWithSession = StopWithSession, MaxRequestMB = MaxRequestMB, MetricsUri = host.MetricsUri,
        });
    });
}
