using System.Threading.Tasks;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace ClusterState.Server;

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
