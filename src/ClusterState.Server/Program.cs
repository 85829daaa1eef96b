using System;
using System.Globalization;
using System.Net;
using System.Threading.Tasks;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ClusterState.Server;

/// <summary>
/// <c>ClusterState.Server --state DIR --port N --token TOKEN [--bind 127.0.0.1] [--chunk-rows 16384]
/// [--certificate FILE.pfx [--certificate-password PW]]</c>: serves the state over Arrow Flight on
/// h2c, or over TLS with the given certificate. It binds to loopback unless told otherwise and
/// refuses every call without the bearer token. Prints one line, <c>listening grpc://host:port</c>
/// (<c>grpc+tls://</c> with a certificate), when it answers.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        string? state = Arg(args, "--state");
        string? token = Arg(args, "--token") ?? Environment.GetEnvironmentVariable("CLUSTERSTATE_SERVER_TOKEN");
        if (state is null || string.IsNullOrEmpty(token) || !int.TryParse(Arg(args, "--port") ?? "0", NumberStyles.None, CultureInfo.InvariantCulture, out int port))
        {
            Console.Error.WriteLine("usage: ClusterState.Server --state DIR --port N --token TOKEN [--bind 127.0.0.1] [--chunk-rows 16384] [--certificate FILE.pfx [--certificate-password PW]]");
            return 2;
        }
        var bind = IPAddress.Parse(Arg(args, "--bind") ?? "127.0.0.1");
        int chunk = int.Parse(Arg(args, "--chunk-rows") ?? "16384", CultureInfo.InvariantCulture);
        string? certificate = Arg(args, "--certificate");
        string? certificatePassword = Arg(args, "--certificate-password") ?? Environment.GetEnvironmentVariable("CLUSTERSTATE_SERVER_CERTIFICATE_PASSWORD");
        _ = ClusterSnapshot.Open(state); // a missing or broken state stops the server here, clearly

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k => k.Listen(bind, port, o =>
        {
            o.Protocols = HttpProtocols.Http2;
            if (certificate is not null) o.UseHttps(certificate, certificatePassword);
        }));
        builder.Services.AddSingleton(new ServerOptions(System.IO.Path.GetFullPath(state), token, chunk));
        builder.Services.AddSingleton<TokenInterceptor>();
        builder.Services.AddGrpc(o =>
        {
            o.Interceptors.Add<TokenInterceptor>();
            o.MaxSendMessageSize = null;
        }).AddFlightServer<StateFlightServer>();
        var app = builder.Build();
        app.MapFlightEndpoint();
        app.Start();
        foreach (var address in app.Urls)
            Console.WriteLine("listening " + address.Replace("https://", "grpc+tls://", StringComparison.Ordinal).Replace("http://", "grpc://", StringComparison.Ordinal));
        Console.Out.Flush();
        app.WaitForShutdown();
        return 0;
    }

    private static string? Arg(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}

/// <summary>Refuses every call that does not carry <c>authorization: Bearer &lt;token&gt;</c>.</summary>
public sealed class TokenInterceptor(ServerOptions options) : Interceptor
{
    private void Check(ServerCallContext context)
    {
        string? header = context.RequestHeaders.GetValue("authorization");
        string expected = "Bearer " + options.Token;
        if (header is null || !CryptographicEquals(header, expected))
            throw new RpcException(new Status(StatusCode.Unauthenticated, "A bearer token is required (authorization: Bearer <token>)."));
    }

    private static bool CryptographicEquals(string a, string b) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(a), System.Text.Encoding.UTF8.GetBytes(b));

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(request, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(context);
        return continuation(requestStream, responseStream, context);
    }
}
