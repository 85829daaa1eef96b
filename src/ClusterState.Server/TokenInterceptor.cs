using System.Threading.Tasks;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ClusterState.Server;

/// <summary>Refuses every call that does not carry <c>authorization: Bearer &lt;token&gt;</c>.</summary>
public sealed class TokenInterceptor(ServerOptions options) : Interceptor
{
    /// <summary>Whether an authorization header carries the token (compared in constant time).</summary>
    public static bool Accepts(string? header, string token) =>
        header is not null && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(header), System.Text.Encoding.UTF8.GetBytes("Bearer " + token));

    private void Check(ServerCallContext context)
    {
        if (!Accepts(context.RequestHeaders.GetValue("authorization"), options.Token))
            throw new RpcException(new Status(StatusCode.Unauthenticated, "A bearer token is required (authorization: Bearer <token>)."));
    }

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
