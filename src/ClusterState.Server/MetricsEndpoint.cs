using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ClusterState.Server;

/// <summary>
/// <c>GET /metrics</c> (the samples of Export-ClusterMetric, Prometheus text format 0.0.4) and
/// <c>GET /healthz</c> on the server's second, HTTP/1.1 port: a service is scraped, not polled by
/// scripts, and Prometheus and load balancers speak HTTP/1.1, which the h2c Flight port cannot.
/// Neither needs the token unless <see cref="MetricsOptions.RequireToken"/> (the metrics name
/// node ids, nothing else). The samples are computed once per generation and shared by every
/// scrape until the next commit, so a scraper hammering the endpoint costs one scan per commit,
/// not one per request; only the update age is stamped per answer.
/// </summary>
public sealed partial class MetricsEndpoint(ServerOptions options, MetricsOptions metrics, ILogger<MetricsEndpoint> logger)
{
    private const string AgeMetric = "clusterstate_state_update_age_seconds";
    private readonly object _collect = new(); // one scan at a time; the others then find it cached
    private (long Generation, IReadOnlyList<ClusterMetric> Samples, DateTime? UpdatedAt)? _cached;

    /// <summary>Maps both paths; they answer only on the metrics port.</summary>
    public void Map(WebApplication app)
    {
        app.MapGet("/metrics", Metrics);
        app.MapGet("/healthz", Health);
    }

    private async Task Metrics(HttpContext context)
    {
        if (!OnMetricsPort(context) || !Authorized(context)) return;
        IReadOnlyList<ClusterMetric> samples;
        DateTime? updatedAt;
        try
        {
            lock (_collect) (samples, updatedAt) = Collect();
        }
        catch (ClusterStateException e)
        {
            await Unavailable(context, e).ConfigureAwait(false);
            return;
        }
        var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture) { NewLine = "\n" };
        DateTime now = DateTime.UtcNow;
        // The cached samples are shared: the age sample is written from a copy stamped now.
        var stamped = new List<ClusterMetric>(samples.Count);
        foreach (var s in samples)
        {
            stamped.Add(s.Name == AgeMetric && updatedAt is DateTime u
                ? new ClusterMetric { Name = s.Name, Type = s.Type, Help = s.Help, Labels = s.Labels, Value = Math.Max(0, (now - u).TotalSeconds) }
                : s);
        }
        ClusterMetrics.WriteText(stamped, text);
        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await context.Response.WriteAsync(text.ToString(), Encoding.UTF8, context.RequestAborted).ConfigureAwait(false);
    }

    private async Task Health(HttpContext context)
    {
        if (!OnMetricsPort(context)) return;
        // Healthy means what a client needs: the state opens and its current generation reads.
        try
        {
            using var snapshot = ClusterSnapshot.Open(options.StatePath);
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync($"ok generation {snapshot.Generation}\n", context.RequestAborted).ConfigureAwait(false);
        }
        catch (ClusterStateException e)
        {
            await Unavailable(context, e).ConfigureAwait(false);
        }
    }

    private (IReadOnlyList<ClusterMetric>, DateTime?) Collect()
    {
        using var snapshot = ClusterSnapshot.Open(options.StatePath);
        if (_cached is { } c && c.Generation == snapshot.Generation) return (c.Samples, c.UpdatedAt);
        var samples = ClusterMetrics.Collect(snapshot, DateTime.UtcNow);
        _cached = (snapshot.Generation, samples, snapshot.UpdatedAt);
        return (samples, snapshot.UpdatedAt);
    }

    private async Task Unavailable(HttpContext context, ClusterStateException e)
    {
        StateUnreadable(logger, context.Request.Path, e.ErrorId, e.Message);
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync($"{e.ErrorId}: {e.Message}\n", context.RequestAborted).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The state could not be read for {Path}: {ErrorId} {Detail}")]
    private static partial void StateUnreadable(ILogger logger, string path, string errorId, string detail);

    // The Flight port (HTTP/2) never answers these paths: only the port an operator opened for
    // scraping does.
    private bool OnMetricsPort(HttpContext context)
    {
        if (context.Connection.LocalPort == metrics.Port) return true;
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return false;
    }

    private bool Authorized(HttpContext context)
    {
        if (!metrics.RequireToken || TokenInterceptor.Accepts(context.Request.Headers.Authorization, options.Token)) return true;
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return false;
    }
}
