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
    /// <c>{"flight": "state", "header": true}</c> is the state batch with empty entity lists (the
    /// scalars and the schema), which a client completes from the entity flights. Every flight's
    /// schema metadata carries the generation it was read from.
    /// </summary>
    public override async Task DoGet(FlightTicket ticket, FlightServerRecordBatchStreamWriter responseStream, ServerCallContext context)
    {
        var (name, query, header, withIds) = Parse(ticket.Ticket.ToStringUtf8());
        using var snapshot = Open();
        if (name == "state")
        {
            await responseStream.WriteAsync(header ? RemoteWire.Header(snapshot) : snapshot.RecordBatch).ConfigureAwait(false);
            return;
        }
        IReadOnlyList<int>? rows = query is null ? null : name switch
        {
            ClusterSchema.Names.Nodes => Deserialize<NodeQuery>(query) is var n
                ? WithIds(snapshot.FindNodes(n).Rows, withIds && n.Id is { } ids ? snapshot.FindNodes(new NodeQuery { Id = ids }).Rows : null) : null,
            ClusterSchema.Names.Tasks => Deserialize<TaskQuery>(query) is var t
                ? WithIds(snapshot.FindTasks(t).Rows, withIds && t.Id is { } ids ? snapshot.FindTasks(new TaskQuery { Id = ids }).Rows : null) : null,
            _ => Deserialize<ContentQuery>(query) is var c
                ? WithIds(snapshot.FindContent(c).Rows, withIds && c.Cid is { } ids ? snapshot.FindContent(new ContentQuery { Cid = ids }).Rows : null) : null,
        };
        foreach (var batch in EntityBatches.Batches(snapshot, name, rows, options.ChunkRows))
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            await responseStream.WriteAsync(batch).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// With <c>"withIds": true</c> the rows of the query's ids travel too, even when other filters
    /// drop them: a client evaluating the same query on the rows it received can then tell a
    /// filtered-out id from a missing one exactly as a local query does. Rows stay in state order.
    /// </summary>
    private static IReadOnlyList<int> WithIds(IReadOnlyList<int> rows, IReadOnlyList<int>? idRows) =>
        idRows is null ? rows : rows.Concat(idRows).Distinct().Order().ToList();

    private static readonly System.Text.Json.JsonSerializerOptions QueryJson = new() { PropertyNameCaseInsensitive = true };

    private static (string Name, System.Text.Json.JsonElement? Query, bool Header, bool WithIds) Parse(string ticket)
    {
        if (!ticket.TrimStart().StartsWith('{')) return (Known(ticket), null, false, false);
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(ticket);
            var root = document.RootElement;
            string name = Known(root.TryGetProperty("flight", out var f) ? f.GetString() : null);
            bool header = root.TryGetProperty("header", out var h) && h.ValueKind == System.Text.Json.JsonValueKind.True;
            bool withIds = root.TryGetProperty("withIds", out var w) && w.ValueKind == System.Text.Json.JsonValueKind.True;
            return (name, root.TryGetProperty("query", out var q) ? q.Clone() : null, header, withIds);
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

    /// <summary>The actions, with what their body and results are (JSON).</summary>
    public static readonly IReadOnlyList<FlightActionType> Actions = new[]
    {
        new FlightActionType("commit", "Body: a ChangeSet. Applies it as one atomic commit (then a checkpoint if the policy says so); result: the CommitResult."),
        new FlightActionType("metadata", "No body. Result: state_metadata.json of the current generation."),
        new FlightActionType("describe", "No body. Result: what Get-ClusterMetadata reports (ids, generation, counts, snapshot size, checkpoints)."),
        new FlightActionType("wait", "Body: {\"after\": G, \"timeoutMs\": T}. Returns the metadata as soon as the generation is past G, or no result after T ms (at most 60 s)."),
        new FlightActionType("changes", "Body: {\"after\": G, \"upTo\": H}. Result: the change log entries (ClusterStateChange) after G up to H."),
        new FlightActionType("checkpoint", "Body: {\"keep\": N}. Writes a Parquet checkpoint; result: its CheckpointInfo."),
        new FlightActionType("checkpoints", "No body. Result: the CheckpointInfo list, newest first."),
        new FlightActionType("restore", "Body: {\"checkpoint\": \"file name in checkpoints/\"}. Makes it the current state (a commit); result: the new metadata."),
        new FlightActionType("checkpoint-policy", "Body: {\"policy\": CheckpointPolicy or null}. Sets or clears the policy; result: the new metadata."),
        new FlightActionType("migrate", "No body. Migrates the state to the current schema version (a commit); result: the CommitResult, or null when it was current."),
    };

    public override async Task ListActions(IAsyncStreamWriter<FlightActionType> responseStream, ServerCallContext context)
    {
        foreach (var action in Actions) await responseStream.WriteAsync(action).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs an action on the state this server owns. Changes are normal commits, so every remote
    /// writer goes through one authority and ExpectedGeneration keeps its meaning. Engine errors
    /// map to gRPC codes with the ErrorId first in the message and in the trailers
    /// (<c>clusterstate-error-id</c>, <c>-kind</c>, <c>-target</c>).
    /// </summary>
    public override async Task DoAction(FlightAction request, IAsyncStreamWriter<FlightResult> responseStream, ServerCallContext context)
    {
        string dir = options.StatePath;
        var body = request.Body.Memory;
        IEnumerable<object?> results = request.Type switch
        {
            "commit" => One(Engine(() =>
            {
                var result = StateStore.Commit(dir, Body<ChangeSet>(body, required: true)!);
                Checkpoints.SaveIfDue(dir);
                return result;
            })),
            "metadata" => One(Engine(() => StateMetadata.Read(dir))),
            "describe" => One(Engine(() =>
            {
                using var snapshot = ClusterSnapshot.Open(dir);
                return ClusterMetadata.From(snapshot);
            })),
            // No result when the wait timed out.
            "wait" => await Wait(Body<RemoteWire.WaitRequest>(body) ?? new(), context.CancellationToken).ConfigureAwait(false) is { } metadata ? One(metadata) : System.Array.Empty<object?>(),
            "changes" => Engine(() =>
            {
                var range = Body<RemoteWire.ChangesRequest>(body) ?? new();
                return StateChanges.Between(dir, range.After, range.UpTo).Cast<object?>().ToList();
            }),
            "checkpoint" => One(Engine(() => Checkpoints.Save(dir, Body<RemoteWire.CheckpointRequest>(body)?.Keep ?? 10))),
            "checkpoints" => Engine(() => Checkpoints.List(dir).Cast<object?>().ToList()),
            "restore" => One(Engine(() => Checkpoints.Restore(dir, CheckpointFile(Body<RemoteWire.RestoreRequest>(body, required: true)!.Checkpoint)))),
            "checkpoint-policy" => One(Engine(() =>
            {
                Checkpoints.SetPolicy(dir, Body<RemoteWire.PolicyRequest>(body)?.Policy);
                return StateMetadata.Read(dir);
            })),
            "migrate" => One(Engine(() => StateStore.Migrate(dir))),
            _ => throw new RpcException(new Status(StatusCode.Unimplemented,
                $"No action '{request.Type}'; the actions are: {string.Join(", ", Actions.Select(a => a.Type))}.")),
        };
        foreach (var result in results) await responseStream.WriteAsync(new FlightResult(RemoteWire.ToJson(result))).ConfigureAwait(false);
    }

    private static object?[] One(object? result) => new[] { result };

    /// <summary>A long poll: the metadata once the generation passes <c>after</c>, or nothing after the timeout.</summary>
    private Task<StateMetadata?> Wait(RemoteWire.WaitRequest request, System.Threading.CancellationToken cancel)
    {
        var timeout = TimeSpan.FromMilliseconds(Math.Clamp(request.TimeoutMs, 0, 60_000));
        return Task.Run(() => Engine(() =>
        {
            using var watcher = new StateWatcher(options.StatePath);
            return watcher.WaitForCommit(request.After, timeout, cancel);
        }), cancel);
    }

    /// <summary>A checkpoint named by its file name: only files of this state's checkpoints folder can be restored remotely.</summary>
    private string CheckpointFile(string name)
    {
        string file = System.IO.Path.GetFileName(name ?? "");
        string path = System.IO.Path.Combine(options.StatePath, Checkpoints.Folder, file);
        if (file.Length == 0 || !System.IO.File.Exists(path))
            throw new ClusterStateException(ErrorIds.CheckpointNotFound, ClusterStateErrorKind.NotFound,
                $"The server's state has no checkpoint '{name}' (see Get-ClusterStateCheckpoint).", name);
        return path;
    }

    private static T? Body<T>(ReadOnlyMemory<byte> body, bool required = false) where T : class
    {
        if (body.IsEmpty)
        {
            if (required) throw new RpcException(new Status(StatusCode.InvalidArgument, $"The action needs a JSON {typeof(T).Name} body."));
            return null;
        }
        try
        {
            return System.Text.Json.JsonSerializer.Deserialize<T>(body.Span, QueryJson);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"The body is not a JSON {typeof(T).Name}: {e.Message}"));
        }
    }

    /// <summary>Runs engine work, turning its errors into gRPC status codes that keep the ErrorId, kind and target.</summary>
    private static T Engine<T>(Func<T> work)
    {
        try
        {
            return work();
        }
        catch (ClusterStateException e)
        {
            throw RemoteWire.ToRpcException(e);
        }
        catch (Exception e) when (e is System.IO.IOException or UnauthorizedAccessException)
        {
            throw RemoteWire.ToRpcException(new ClusterStateException("StateIOError", ClusterStateErrorKind.WriteError, e.Message, null, e));
        }
    }

    private ClusterSnapshot Open()
    {
        return Engine(() => ClusterSnapshot.Open(options.StatePath));
    }

    private static string Name(FlightDescriptor descriptor) => Known(descriptor.Paths.FirstOrDefault());

    private static Apache.Arrow.Schema SchemaOf(ClusterSnapshot snapshot, string name) =>
        name == "state" ? RemoteWire.Header(snapshot).Schema : EntityBatches.SchemaOf(snapshot, name);

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
