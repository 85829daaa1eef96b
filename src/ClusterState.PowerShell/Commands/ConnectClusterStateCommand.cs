using System.Management.Automation;

namespace ClusterState.PowerShell.Commands;

/// <summary>
/// <para type="synopsis">Makes a state directory, or a ClusterState server, the session default for every ClusterState cmdlet.</para>
/// <para type="description">Connect-ClusterState opens the state once to check that it is readable, then remembers it for this runspace; cmdlets without -StatePath use it before $env:CLUSTERSTATE_PATH and the well-known locations. Without -Path it resolves the default locations and connects to the first state found. With -Uri grpc://host:port (grpc+tls://host:port for TLS) it connects to a server started by Start-ClusterStateServer: every read and write cmdlet then works on the server's state with the same results as locally. Reads fetch the flights of the current generation once and map them from a private cache file until the next commit; writes are committed by the server, so -ExpectedGeneration keeps its meaning. A server that does not answer is a ServerUnavailable error, a wrong or missing token ServerUnauthorized.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Connect, "ClusterState", DefaultParameterSetName = PathSet)]
[OutputType(typeof(ClusterMetadata))]
public sealed class ConnectClusterStateCommand : ClusterStateCmdlet
{
    private const string PathSet = "Path";
    private const string UriSet = "Uri";
    private const string ServerSet = "Server";

    /// <summary><para type="description">The state directory (or its state_metadata.json).</para></summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
    [Alias("StatePath")]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary><para type="description">The address of a ClusterState server: grpc://host:port, or grpc+tls://host:port when it serves TLS.</para></summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = UriSet)]
    [ValidateNotNullOrEmpty]
    public string? Uri { get; set; }

    /// <summary><para type="description">A server started by Start-ClusterStateServer (its output, also from the pipeline): its Uri and Token.</para></summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = ServerSet)]
    [ValidateNotNull]
    public ClusterStateServerInfo? Server { get; set; }

    /// <summary><para type="description">The server's bearer token (default: the -Server object's, then $env:CLUSTERSTATE_SERVER_TOKEN).</para></summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = UriSet)]
    [Parameter(ParameterSetName = ServerSet)]
    [ValidateNotNullOrEmpty]
    public string? Token { get; set; }

    /// <summary><para type="description">For TLS with a self-signed certificate: the server's certificate (a .cer/.pem/.pfx file or an X509Certificate2) to trust.</para></summary>
    [Parameter(ParameterSetName = UriSet)]
    [Parameter(ParameterSetName = ServerSet)]
    [ValidateNotNull]
    public object? ServerCertificate { get; set; }

    /// <summary><para type="description">For TLS: accept any server certificate (for tests; the token still travels encrypted but the server is not verified).</para></summary>
    [Parameter(ParameterSetName = UriSet)]
    [Parameter(ParameterSetName = ServerSet)]
    public SwitchParameter SkipCertificateCheck { get; set; }

    /// <summary><para type="description">Emit the metadata of the connected state.</para></summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord() => Run(() =>
    {
        if (ParameterSetName is UriSet or ServerSet)
        {
            var remote = RemoteState.Connect(Server?.Uri ?? Uri!, new RemoteOptions
            {
                Token = Token ?? Server?.Token,
                ServerCertificate = Certificate(),
                SkipCertificateCheck = SkipCertificateCheck,
            });
            SessionDefaults.Set(remote.Location);
            WriteVerbose($"Connected to the ClusterState server {remote.Location}.");
            if (PassThru) WriteObject(remote.Describe());
            return;
        }
        string dir = ResolveStateDirectory(Path);
        using var snapshot = ClusterSnapshot.Open(dir);
        SessionDefaults.Set(dir);
        WriteVerbose($"Connected to '{dir}' ({snapshot}).");
        if (PassThru) WriteObject(snapshot.Describe());
    });

    private System.Security.Cryptography.X509Certificates.X509Certificate2? Certificate() => ServerCertificate switch
    {
        null => null,
        PSObject { BaseObject: var inner } when inner is not PSObject => Certificate(inner),
        var value => Certificate(value),
    };

    private System.Security.Cryptography.X509Certificates.X509Certificate2 Certificate(object value) => value switch
    {
        System.Security.Cryptography.X509Certificates.X509Certificate2 c => c,
        System.IO.FileInfo f => Load(f.FullName),
        string path => Load(ResolveUserPath(path)),
        _ => throw new ClusterStateException(ErrorIds.InvalidArgument, ClusterStateErrorKind.InvalidArgument,
            "-ServerCertificate takes a certificate file or an X509Certificate2.", value),
    };

    // A .cer/.pem (public certificate) or a .pfx without password.
    private static System.Security.Cryptography.X509Certificates.X509Certificate2 Load(string path) => new(path);
}
