using System.Security.Cryptography.X509Certificates;

namespace ClusterState;

/// <summary>How to reach a ClusterState server: its token and, for TLS, which certificate to trust.</summary>
public sealed class RemoteOptions
{
    /// <summary>The bearer token (default: $env:CLUSTERSTATE_SERVER_TOKEN, read at each call).</summary>
    public string? Token { get; set; }

    /// <summary>Trust exactly this server certificate (a self-signed one), besides the system's trusted roots.</summary>
    public X509Certificate2? ServerCertificate { get; set; }

    /// <summary>Accept any server certificate (testing only).</summary>
    public bool SkipCertificateCheck { get; set; }
}
