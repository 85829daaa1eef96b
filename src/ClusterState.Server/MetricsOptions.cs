namespace ClusterState.Server;

/// <summary>
/// The metrics port (<c>--metrics-port</c>; 0: none) and whether its <c>/metrics</c> needs the
/// bearer token too (<c>--metrics-token</c>; <c>/healthz</c> never does, as probes carry none).
/// </summary>
public sealed record MetricsOptions(int Port, bool RequireToken);
