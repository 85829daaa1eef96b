using System;
using System.Threading.Tasks;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;

namespace ClusterState.Server;

/// <summary>
/// The one place where a failure becomes a gRPC status: engine errors keep their ErrorId, kind
/// and target (<see cref="RemoteWire.ToRpcException"/>; a malformed request is RequestInvalid,
/// INVALID_ARGUMENT), I/O failures are StateIOError, and anything unexpected is INTERNAL with
/// the ErrorId ServerFailed and no stack trace — never gRPC's UNKNOWN "Exception was thrown by
/// handler". Unexpected failures are logged with their stack trace; client errors are not.
/// </summary>
public sealed partial class ErrorInterceptor(ILogger<ErrorInterceptor> logger) : Interceptor
{
    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} failed")]
    private static partial void LogFailure(ILogger logger, Exception exception, string method);

    private Exception Map(Exception e, ServerCallContext context)
    {
        switch (e)
        {
            case RpcException:
                return e;
            case ClusterStateException engine:
                return RemoteWire.ToRpcException(engine);
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                return new RpcException(new Status(StatusCode.Cancelled, "The call was cancelled."));
            case System.IO.IOException or UnauthorizedAccessException:
                return RemoteWire.ToRpcException(new ClusterStateException(ErrorIds.StateIOError, ClusterStateErrorKind.WriteError, e.Message, null, e));
            default:
                LogFailure(logger, e, context.Method);
                return RemoteWire.ToRpcException(new ClusterStateException(ErrorIds.ServerFailed, ClusterStateErrorKind.ResourceUnavailable,
                    $"The server could not answer {context.Method} ({e.GetType().Name}); its log has the details.", null, e), StatusCode.Internal);
        }
    }

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try { return await continuation(request, context).ConfigureAwait(false); }
        catch (Exception e) when (e is not RpcException) { throw Map(e, context); }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try { await continuation(request, responseStream, context).ConfigureAwait(false); }
        catch (Exception e) when (e is not RpcException) { throw Map(e, context); }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try { return await continuation(requestStream, context).ConfigureAwait(false); }
        catch (Exception e) when (e is not RpcException) { throw Map(e, context); }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try { await continuation(requestStream, responseStream, context).ConfigureAwait(false); }
        catch (Exception e) when (e is not RpcException) { throw Map(e, context); }
    }
}
