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
    /// <summary>Where it answers GET /metrics (GET /healthz beside it), e.g. http://127.0.0.1:9464/metrics; null without -MetricsPort.</summary>
    public string? MetricsUri { get; set; }

    /// <inheritdoc />
    public override string ToString() => Uri;
}
