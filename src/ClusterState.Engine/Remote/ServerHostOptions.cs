using System.Net;

namespace ClusterState;

/// <summary>How <see cref="ServerHost.Start"/> runs a ClusterState server (Start-ClusterStateServer's parameters).</summary>
public sealed class ServerHostOptions
{
    /// <summary>The server program (server/&lt;rid&gt;/ClusterState.Server or ClusterState.Server.dll); default: <see cref="ServerHost.LocateProgram"/>.</summary>
    public string? Program { get; set; }
    /// <summary>The state directory it serves.</summary>
    public string StateDirectory { get; set; } = "";
    /// <summary>The address to listen on.</summary>
    public IPAddress BindAddress { get; set; } = IPAddress.Loopback;
    /// <summary>The TCP port (0: a free one).</summary>
    public int Port { get; set; }
    /// <summary>The bearer token clients must send.</summary>
    public string Token { get; set; } = "";
    /// <summary>Rows per streamed chunk of the entity flights.</summary>
    public int ChunkRows { get; set; } = 16_384;
    /// <summary>The largest request it accepts, in MiB.</summary>
    public int MaxRequestMB { get; set; } = RequestLimits.DefaultMaxRequestMB;
    /// <summary>A .pfx file to serve TLS with; null: h2c.</summary>
    public string? Certificate { get; set; }
    /// <summary>The password of <see cref="Certificate"/>.</summary>
    public string? CertificatePassword { get; set; }
    /// <summary>A process whose end stops the server (-StopWithSession); null: it runs until stopped.</summary>
    public int? ParentProcessId { get; set; }
    /// <summary>The HTTP port for GET /metrics and /healthz (0: a free one); null: none.</summary>
    public int? MetricsPort { get; set; }
    /// <summary>Whether /metrics needs the bearer token too.</summary>
    public bool MetricsRequireToken { get; set; }
    /// <summary>How long to wait for the server to answer.</summary>
    public System.TimeSpan StartTimeout { get; set; } = System.TimeSpan.FromSeconds(30);
}
