using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Apache.Arrow;
using Apache.Arrow.Flight;
using Apache.Arrow.Flight.Server;
using Apache.Arrow.Types;
using Grpc.Core;

namespace ClusterState.Server;

/// <summary>What the server serves, from its command line.</summary>
public sealed record ServerOptions(string StatePath, string Token, int ChunkRows);

/// <summary>
/// The flights of one state directory: <c>state</c> (the whole one-row batch, the state schema)
/// and <c>nodes</c>, <c>tasks</c>, <c>content</c> (one row per item, streamed in chunks of
/// <see cref="ServerOptions.ChunkRows"/> rows). Every chunk is a zero-copy slice of the
/// snapshot's mapped columns; the gRPC writer serialises it.
/// </summary>
public sealed class StateFlightServer(ServerOptions options) : FlightServer
{
    /// <summary>The flight names (also the tickets and descriptor paths).</summary>
    public static readonly string[] Flights = { "state", ClusterSchema.Names.Nodes, ClusterSchema.Names.Tasks, ClusterSchema.Names.Content };

    public override async Task ListFlights(FlightCriteria request, IAsyncStreamWriter<FlightInfo> responseStream, ServerCallContext context)
    {
        using var snapshot = Open();
        foreach (var name in Flights) await responseStream.WriteAsync(Info(snapshot, name)).ConfigureAwait(false);
    }

    public override Task<FlightInfo> GetFlightInfo(FlightDescriptor request, ServerCallContext context)
    {
        using var snapshot = Open();
        return Task.FromResult(Info(snapshot, Name(request)));
    }

    public override Task<Apache.Arrow.Schema> GetSchema(FlightDescriptor request, ServerCallContext context)
    {
        using var snapshot = Open();
        return Task.FromResult(SchemaOf(snapshot, Name(request)));
    }

    /// <summary>
    /// Tickets: a flight name, or JSON <c>{"flight": "tasks", "query": {"Status": ["failed"]}}</c>
    /// whose query is a <see cref="TaskQuery"/>, <see cref="NodeQuery"/> or
    /// <see cref="ContentQuery"/> — the same object the cmdlets build from their filter
    /// parameters — evaluated on the server's columns; only matching rows travel.
    /// </summary>
    public override async Task DoGet(FlightTicket ticket, FlightServerRecordBatchStreamWriter responseStream, ServerCallContext context)
    {
        var (name, query) = Parse(ticket.Ticket.ToStringUtf8());
        using var snapshot = Open();
        if (name == "state")
        {
            await responseStream.WriteAsync(snapshot.RecordBatch).ConfigureAwait(false);
            return;
        }
        IReadOnlyList<int>? rows = query is null ? null : name switch
        {
            ClusterSchema.Names.Nodes => snapshot.FindNodes(Deserialize<NodeQuery>(query)).Rows,
            ClusterSchema.Names.Tasks => snapshot.FindTasks(Deserialize<TaskQuery>(query)).Rows,
            _ => snapshot.FindContent(Deserialize<ContentQuery>(query)).Rows,
        };
        foreach (var batch in EntityBatches.Batches(snapshot, name, rows, options.ChunkRows))
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            await responseStream.WriteAsync(batch).ConfigureAwait(false);
        }
    }

    private static readonly System.Text.Json.JsonSerializerOptions QueryJson = new() { PropertyNameCaseInsensitive = true };

    private static (string Name, System.Text.Json.JsonElement? Query) Parse(string ticket)
    {
        if (!ticket.TrimStart().StartsWith('{')) return (Known(ticket), null);
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(ticket);
            var root = document.RootElement;
            string name = Known(root.TryGetProperty("flight", out var f) ? f.GetString() : null);
            return (name, root.TryGetProperty("query", out var q) ? q.Clone() : null);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "The ticket is neither a flight name nor JSON: " + e.Message));
        }
    }

    private static T Deserialize<T>(System.Text.Json.JsonElement? query) where T : new()
    {
        try
        {
            return query is System.Text.Json.JsonElement q ? System.Text.Json.JsonSerializer.Deserialize<T>(q, QueryJson) ?? new T() : new T();
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"The query is not a {typeof(T).Name}: {e.Message}"));
        }
    }

    private static string Known(string? name) => name is not null && Flights.Contains(name) ? name
        : throw new RpcException(new Status(StatusCode.NotFound, $"No flight '{name}'; the flights are {string.Join(", ", Flights)}."));

    /// <summary>The actions: <c>commit</c> (body: a JSON <see cref="ChangeSet"/>; result: a JSON <see cref="CommitResult"/>).</summary>
    public override async Task ListActions(IAsyncStreamWriter<FlightActionType> responseStream, ServerCallContext context) =>
        await responseStream.WriteAsync(new FlightActionType("commit", "Apply a JSON ChangeSet as one atomic commit; returns the CommitResult as JSON.")).ConfigureAwait(false);

    /// <summary>
    /// Applies a change set as a normal commit of the state this server owns, so every remote
    /// writer goes through one authority and ExpectedGeneration keeps its meaning. Engine errors
    /// map to gRPC codes with the ErrorId first in the message.
    /// </summary>
    public override async Task DoAction(FlightAction request, IAsyncStreamWriter<FlightResult> responseStream, ServerCallContext context)
    {
        if (request.Type != "commit")
            throw new RpcException(new Status(StatusCode.Unimplemented, $"No action '{request.Type}'; the actions are: commit."));
        ChangeSet? changes;
        try
        {
            changes = System.Text.Json.JsonSerializer.Deserialize<ChangeSet>(request.Body.Span, QueryJson);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "The body is not a JSON ChangeSet: " + e.Message));
        }
        if (changes is null) throw new RpcException(new Status(StatusCode.InvalidArgument, "The body is empty."));
        CommitResult result;
        try
        {
            result = StateStore.Commit(options.StatePath, changes);
        }
        catch (ClusterStateException e)
        {
            var code = e.Kind switch
            {
                ClusterStateErrorKind.Conflict => StatusCode.FailedPrecondition,
                ClusterStateErrorKind.NotFound => StatusCode.NotFound,
                ClusterStateErrorKind.InvalidArgument or ClusterStateErrorKind.InvalidData => StatusCode.InvalidArgument,
                ClusterStateErrorKind.AlreadyExists => StatusCode.AlreadyExists,
                ClusterStateErrorKind.ResourceUnavailable or ClusterStateErrorKind.Timeout => StatusCode.Unavailable,
                _ => StatusCode.Internal,
            };
            throw new RpcException(new Status(code, $"{e.ErrorId}: {e.Message}"));
        }
        await responseStream.WriteAsync(new FlightResult(System.Text.Json.JsonSerializer.Serialize(result))).ConfigureAwait(false);
    }

    private ClusterSnapshot Open()
    {
        try
        {
            return ClusterSnapshot.Open(options.StatePath);
        }
        catch (ClusterStateException e)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"{e.ErrorId}: {e.Message}"));
        }
    }

    private static string Name(FlightDescriptor descriptor) => Known(descriptor.Paths.FirstOrDefault());

    private static Apache.Arrow.Schema SchemaOf(ClusterSnapshot snapshot, string name) =>
        name == "state" ? snapshot.Schema : EntityBatches.SchemaOf(snapshot, name);

    private static FlightInfo Info(ClusterSnapshot snapshot, string name)
    {
        long records = name switch
        {
            "state" => 1,
            ClusterSchema.Names.Nodes => snapshot.NodeCount,
            ClusterSchema.Names.Tasks => snapshot.TaskCount,
            _ => snapshot.ContentCount,
        };
        var endpoint = new FlightEndpoint(new FlightTicket(name), System.Array.Empty<FlightLocation>());
        return new FlightInfo(SchemaOf(snapshot, name), FlightDescriptor.CreatePathDescriptor(name), new[] { endpoint }, records, -1);
    }
}
