using System;
using System.Linq;
using System.Globalization;
using System.Net;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ClusterState.Server;

/// <summary>
/// <c>ClusterState.Server --state DIR --port N --token TOKEN [--bind 127.0.0.1] [--chunk-rows 16384]
/// [--chunk-bytes 3145728] [--max-request-mb 64] [--parent-pid PID] [--certificate FILE.pfx
/// [--certificate-password PW]] [--metrics-port N [--metrics-token]]</c>: serves the state over
/// Arrow Flight on h2c, or over TLS with the given certificate. It binds to loopback unless told
/// otherwise and refuses every call without the bearer token. With <c>--metrics-port</c> it also
/// answers <c>GET /metrics</c> and <c>GET /healthz</c> over HTTP/1.1 on that port (same address
/// and certificate; see <see cref="MetricsEndpoint"/>) and first prints
/// <c>metrics http://host:port/metrics</c>. Prints <c>listening grpc://host:port</c>
/// (<c>grpc+tls://</c> with a certificate) when it answers. With <c>--parent-pid</c> it stops
/// when that process ends (Start-ClusterStateServer -StopWithSession); otherwise it runs until
/// it is stopped. The token and the certificate's password may come from the environment
/// (CLUSTERSTATE_SERVER_TOKEN, CLUSTERSTATE_SERVER_CERTIFICATE_PASSWORD), which a service unit
/// fills from a file only its user reads. An argument it does not know is refused, not ignored.
/// </summary>
public static class Program
{
    private const string Usage = "usage: ClusterState.Server --state DIR --port N --token TOKEN [--bind 127.0.0.1] [--chunk-rows 16384] [--chunk-bytes 3145728] [--max-request-mb 64] [--parent-pid PID] [--certificate FILE.pfx [--certificate-password PW]] [--metrics-port N [--metrics-token]]";

    private static readonly string[] Valued = { "--state", "--port", "--token", "--bind", "--chunk-rows", "--chunk-bytes", "--max-request-mb", "--parent-pid", "--certificate", "--certificate-password", "--metrics-port" };
    private static readonly string[] Flags = { "--metrics-token" };

    public static int Main(string[] args)
    {
        string? state = Arg(args, "--state");
        string? token = Arg(args, "--token") ?? Environment.GetEnvironmentVariable("CLUSTERSTATE_SERVER_TOKEN");
        if (state is null || string.IsNullOrEmpty(token)
            || !TryNumber(args, "--port", 0, 0, 65535, out int port)
            || !TryNumber(args, "--chunk-rows", 16_384, 1, 1_048_576, out int chunkRows)
            || !TryNumber(args, "--chunk-bytes", RequestLimits.DefaultChunkBytes, 4096, int.MaxValue, out int chunkBytes)
            || !TryNumber(args, "--max-request-mb", RequestLimits.DefaultMaxRequestMB, 1, RequestLimits.MaxRequestMBLimit, out int maxRequestMB)
            || !TryNumber(args, "--parent-pid", 0, 0, int.MaxValue, out int parentPid)
            || !TryNumber(args, "--metrics-port", 0, 0, 65535, out int metricsPort)
            || (metricsPort != 0 && metricsPort == port)
            || !KnownArguments(args)
            || !IPAddress.TryParse(Arg(args, "--bind") ?? "127.0.0.1", out var bind))
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        string? certificate = Arg(args, "--certificate");
        string? certificatePassword = Arg(args, "--certificate-password") ?? Environment.GetEnvironmentVariable("CLUSTERSTATE_SERVER_CERTIFICATE_PASSWORD");
        using (ClusterSnapshot.Open(state)) { } // a missing or broken state stops the server here, clearly

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(bind, port, o =>
            {
                o.Protocols = HttpProtocols.Http2;
                if (certificate is not null) o.UseHttps(certificate, certificatePassword);
            });
            if (metricsPort != 0)
            {
                k.Listen(bind, metricsPort, o =>
                {
                    o.Protocols = HttpProtocols.Http1;
                    if (certificate is not null) o.UseHttps(certificate, certificatePassword);
                });
            }
        });
        builder.Services.AddSingleton(new ServerOptions(System.IO.Path.GetFullPath(state), token, chunkRows, chunkBytes));
        builder.Services.AddSingleton(new MetricsOptions(metricsPort, args.Contains("--metrics-token")));
        builder.Services.AddSingleton<MetricsEndpoint>();
        builder.Services.AddSingleton<TokenInterceptor>();
        builder.Services.AddSingleton<ErrorInterceptor>();
        builder.Services.AddSingleton<CommitSignal>();
        builder.Services.AddSingleton<WaitSlots>();
        builder.Services.AddGrpc(o =>
        {
            o.Interceptors.Add<ErrorInterceptor>(); // outermost: every failure, the token's too, becomes one status
            o.Interceptors.Add<TokenInterceptor>();
            o.MaxSendMessageSize = null;
            // Change sets of many thousand items are larger than gRPC's 4 MB default; past this
            // bound the call is refused (RESOURCE_EXHAUSTED) before anything is read or written.
            o.MaxReceiveMessageSize = maxRequestMB << 20;
        }).AddFlightServer<StateFlightServer>();
        var app = builder.Build();
        app.MapFlightEndpoint();
        if (metricsPort != 0) app.Services.GetRequiredService<MetricsEndpoint>().Map(app);
        app.Start();
        if (parentPid != 0) StopWithParent(app, parentPid);
        // The bound addresses (the real port when --port 0 asked for any), the metrics line first:
        // the starter reads lines until "listening".
        var addresses = app.Urls.Select(a => new Uri(a)).ToList();
        foreach (var address in addresses.Where(a => metricsPort != 0 && a.Port == metricsPort))
            Console.WriteLine("metrics " + new Uri(address, "metrics").AbsoluteUri);
        foreach (var address in addresses.Where(a => metricsPort == 0 || a.Port != metricsPort))
            Console.WriteLine("listening " + (address.Scheme == "https" ? "grpc+tls" : "grpc") + "://" + address.Authority);
        Console.Out.Flush();
        app.WaitForShutdown();
        return 0;
    }

    /// <summary>Stops the server when the process that started it ends (or is already gone).</summary>
    private static void StopWithParent(WebApplication app, int parentPid)
    {
        System.Diagnostics.Process parent;
        try
        {
            parent = System.Diagnostics.Process.GetProcessById(parentPid);
        }
        catch (ArgumentException)
        {
            _ = app.StopAsync();
            return;
        }
        // A poll, not WaitForExit: the parent is not this process's parent in the kernel's sense
        // (the server may be started through a dotnet host), and a second a check costs nothing.
        _ = Task.Run(async () =>
        {
            while (!parent.HasExited) await Task.Delay(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            await app.StopAsync().ConfigureAwait(false);
        });
    }

    private static bool TryNumber(string[] args, string name, int fallback, int min, int max, out int value)
    {
        string? text = Arg(args, name);
        if (text is null)
        {
            value = fallback;
            return true;
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;
    }

    // Every argument is a known name followed by its value, or a known flag: a misspelt option
    // (--metric-port) stops the server instead of being ignored.
    private static bool KnownArguments(string[] args)
    {
        for (int i = 0; i < args.Length; i++)
        {
            if (Flags.Contains(args[i])) continue;
            if (!Valued.Contains(args[i]) || i + 1 >= args.Length) return false;
            i++;
        }
        return true;
    }

    private static string? Arg(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
