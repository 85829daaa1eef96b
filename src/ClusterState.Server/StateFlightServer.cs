using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Apache.Arrow;
using Apache.Arrow.Flight;
using Apache.Arrow.Flight.Server;
using Apache.Arrow.Types;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace ClusterState.Server;

/// <summary>What the server serves, from its command line.</summary>
public sealed record ServerOptions(string StatePath, string Token, int ChunkRows, int ChunkBytes = RequestLimits.DefaultChunkBytes);

/// <summary>
/// The flights of one state directory: <c>state</c> (the whole one-row batch, the state schema)
/// and <c>nodes</c>, <c>tasks</c>, <c>content</c> (one row per item, streamed in chunks of at most
/// <see cref="ServerOptions.ChunkRows"/> rows and <see cref="ServerOptions.ChunkBytes"/> bytes, so
/// clients with gRPC's default 4 MiB receive limit read them). Every chunk is a zero-copy slice
/// of the snapshot's mapped columns; the gRPC writer serialises it. Tickets and action bodies are
/// read strictly through <see cref="RequestLimits"/>; failures become gRPC statuses in
/// <see cref="ErrorInterceptor"/>.
/// </summary>
public sealed partial class StateFlightServer(ServerOptions options, CommitSignal commits, WaitSlots waits, ILogger<StateFlightServer> logger) : FlightServer
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
        var request = Parse(ticket.Ticket.Memory);
        string name = request.Flight!;
        using var snapshot = Open();
        if (name == "state")
        {
            await responseStream.WriteAsync(request.Header ? RemoteWire.Header(snapshot) : snapshot.RecordBatch).ConfigureAwait(false);
            return;
        }
        IReadOnlyList<int>? rows = request.Query is not { } query ? null : name switch
        {
            ClusterSchema.Names.Nodes => RequestLimits.Read<NodeQuery>(query, "ticket's query") is var n
                ? WithIds(snapshot, name, snapshot.FindNodes(n).Rows, request.WithIds && n.Id is { } ids ? snapshot.FindNodes(new NodeQuery { Id = ids }).Rows : null) : null,
            ClusterSchema.Names.Tasks => RequestLimits.Read<TaskQuery>(query, "ticket's query") is var t
                ? WithIds(snapshot, name, snapshot.FindTasks(t).Rows, request.WithIds && t.Id is { } ids ? snapshot.FindTasks(new TaskQuery { Id = ids }).Rows : null) : null,
            _ => RequestLimits.Read<ContentQuery>(query, "ticket's query") is var c
                ? WithIds(snapshot, name, snapshot.FindContent(c).Rows, request.WithIds && c.Cid is { } ids ? snapshot.FindContent(new ContentQuery { Cid = ids }).Rows : null) : null,
        };
        foreach (var batch in EntityBatches.Batches(snapshot, name, rows, options.ChunkRows, options.ChunkBytes))
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
    private static IReadOnlyList<int> WithIds(ClusterSnapshot snapshot, string entity, IReadOnlyList<int> rows, IReadOnlyList<int>? idRows) =>
        idRows is null ? rows : EntityBatches.InStateOrder(snapshot, entity, rows.Concat(idRows));

    /// <summary>A ticket: a flight name, or the JSON <see cref="RemoteWire.TicketRequest"/> (unknown fields refused).</summary>
    private static RemoteWire.TicketRequest Parse(ReadOnlyMemory<byte> ticket)
    {
        var span = ticket.Span.TrimStart(" \t\r\n"u8);
        // A flight name is a bare word; anything that starts like JSON is read as a JSON ticket.
        var request = span.Length > 0 && span[0] is (byte)'{' or (byte)'[' or (byte)'"'
            ? RequestLimits.Read<RemoteWire.TicketRequest>(span, "ticket")
            : new RemoteWire.TicketRequest { Flight = System.Text.Encoding.UTF8.GetString(ticket.Span) };
        request.Flight = Known(request.Flight);
        if (request.Header && request.Flight != "state")
            throw RequestLimits.Invalid($"\"header\" applies to the state flight only, not to '{request.Flight}'.");
        if (request.Query is not null && request.Flight == "state")
            throw RequestLimits.Invalid("The state flight takes no query; query nodes, tasks or content.");
        return request;
    }

    private static string Known(string? name) => name is not null && Flights.Contains(name) ? name
        : throw new RpcException(new Status(StatusCode.NotFound, $"No flight '{Shorten(name)}'; the flights are {string.Join(", ", Flights)}."));

    /// <summary>A name from a request, cut for messages (a request may send megabytes).</summary>
    private static string Shorten(string? text) => text is null ? "" : text.Length <= 64 ? text : text[..64] + "…";

    /// <summary>The actions, with what their body and results are (JSON).</summary>
    public static readonly IReadOnlyList<FlightActionType> Actions = new[]
    {
        new FlightActionType("commit", "Body: a ChangeSet. Applies it as one atomic commit (then a checkpoint if the policy says so); result: the CommitResult."),
        new FlightActionType("metadata", "No body. Result: state_metadata.json of the current generation."),
        new FlightActionType("describe", "No body. Result: what Get-ClusterMetadata reports (ids, generation, counts, snapshot size, checkpoints)."),
        new FlightActionType("wait", "Body: {\"after\": G, \"timeoutMs\": T}. Returns the metadata as soon as the generation is past G, or no result after T ms (at most 60 s; at most 16 open per connection)."),
        new FlightActionType("changes", "Body: {\"after\": G, \"upTo\": H}. Results: {\"Change\": ClusterStateChange, \"More\": bool} for the commits after G up to H (which ends at the current generation; at most the newest 1024), with the objects each wrote; a change over 3 MiB comes in parts (More: the next result continues it), and an answer stops at a whole generation after 64 MiB (ask again from there)."),
        new FlightActionType("checkpoint", "Body: {\"keep\": N}. Writes a Parquet checkpoint; result: its CheckpointInfo."),
        new FlightActionType("checkpoints", "No body. Result: the CheckpointInfo list, newest first."),
        new FlightActionType("restore", "Body: {\"checkpoint\": \"file name in checkpoints/\"}. Makes it the current state (a commit); result: the new metadata."),
        new FlightActionType("checkpoint-policy", "Body: {\"policy\": CheckpointPolicy or null}. Sets or clears the policy; result: the new metadata."),
        new FlightActionType("migrate", "No body. Migrates the state to the current schema version (a commit); result: the CommitResult, or null when it was current."),
        new FlightActionType("compact", "No body. Folds the commit log into a new base (the generation stays); result: the new base's generation, or null when there was no log."),
    };

    public override async Task ListActions(IAsyncStreamWriter<FlightActionType> responseStream, ServerCallContext context)
    {
        foreach (var action in Actions) await responseStream.WriteAsync(action).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs an action on the state this server owns. Changes are normal commits, so every remote
    /// writer goes through one authority and ExpectedGeneration keeps its meaning. Bodies are read
    /// strictly (<see cref="RequestLimits"/>); numbers that size work are bounded by the state
    /// (changes end at the current generation) and by the documented limits. Engine errors map to
    /// gRPC codes with the ErrorId first in the message and in the trailers, in <see cref="ErrorInterceptor"/>.
    /// </summary>
    public override async Task DoAction(FlightAction request, IAsyncStreamWriter<FlightResult> responseStream, ServerCallContext context)
    {
        string dir = options.StatePath;
        var body = request.Body.Memory;
        IEnumerable<object?> results = request.Type switch
        {
            "commit" => One(Commit(Required<ChangeSet>(body, "commit"))),
            "metadata" => One(NoBody(body, "metadata", () => StateMetadata.Read(dir))),
            "describe" => One(NoBody(body, "describe", () =>
            {
                using var snapshot = ClusterSnapshot.Open(dir);
                return snapshot.Describe();
            })),
            // No result when the wait timed out.
            "wait" => await Wait(Optional<RemoteWire.WaitRequest>(body, "wait"), context).ConfigureAwait(false) is { } metadata ? One(metadata) : System.Array.Empty<object?>(),
            "changes" => Changes(Optional<RemoteWire.ChangesRequest>(body, "changes")),
            "checkpoint" => One(Checkpoints.Save(dir, Keep(Optional<RemoteWire.CheckpointRequest>(body, "checkpoint").Keep))),
            "checkpoints" => NoBody(body, "checkpoints", () => Checkpoints.List(dir).Cast<object?>().ToList()),
            "restore" => One(Checkpoints.Restore(dir, CheckpointFile(Required<RemoteWire.RestoreRequest>(body, "restore").Checkpoint))),
            "checkpoint-policy" => One(SetPolicy(Required<RemoteWire.PolicyRequest>(body, "checkpoint-policy").Policy)),
            "migrate" => One(NoBody(body, "migrate", () => StateStore.Migrate(dir))),
            "compact" => One(NoBody(body, "compact", () => StateStore.Compact(dir))),
            _ => throw new RpcException(new Status(StatusCode.Unimplemented,
                $"No action '{Shorten(request.Type)}'; the actions are: {string.Join(", ", Actions.Select(a => a.Type))}.")),
        };
        foreach (var result in results) await responseStream.WriteAsync(new FlightResult(RemoteWire.ToJson(result))).ConfigureAwait(false);
    }

    private static object?[] One(object? result) => new[] { result };

    private CommitResult Commit(ChangeSet changes)
    {
        var result = StateStore.Commit(options.StatePath, changes);
        commits.Check(); // wake the long polls now rather than at the next poll
        try
        {
            Checkpoints.SaveIfDue(options.StatePath);
        }
        catch (Exception e) when (e is ClusterStateException or System.IO.IOException or UnauthorizedAccessException)
        {
            // The commit happened: its result must reach the client, or a retry would apply it twice.
            // The policy's checkpoint is the server's business; it is logged and tried after the next commit.
            LogCheckpointFailure(logger, e, result.Generation);
        }
        return result;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The automatic checkpoint after generation {Generation} failed")]
    private static partial void LogCheckpointFailure(ILogger logger, Exception exception, long generation);

    /// <summary>
    /// The changes of a range, which ends at the current generation whatever the request says, with
    /// the objects each commit wrote (ChangeFeed), as bounded parts (ChangeParts): no result over
    /// RequestLimits.ChangeChunkBytes, no answer much over RequestLimits.MaxChangesBytes (the client
    /// asks again from the last generation it received). Objects are read as the parts are sent.
    /// </summary>
    private IEnumerable<object?> Changes(RemoteWire.ChangesRequest range)
    {
        if (range.After < 0) throw RequestLimits.Invalid($"\"after\" is {range.After}; generations start at 0.");
        return ChangeParts.Split(commits.Feed.Between(range.After, range.UpTo));
    }

    private StateMetadata SetPolicy(CheckpointPolicy? policy)
    {
        if (policy is not null && (policy.Keep is < 1 or > RequestLimits.MaxKeep || policy.EveryCommits < 1 || policy.EverySeconds < 1))
            throw RequestLimits.Invalid($"The policy needs positive EveryCommits/EverySeconds and a Keep of 1–{RequestLimits.MaxKeep}.");
        Checkpoints.SetPolicy(options.StatePath, policy);
        return StateMetadata.Read(options.StatePath);
    }

    private static int Keep(int keep) => keep is >= 1 and <= RequestLimits.MaxKeep ? keep
        : throw RequestLimits.Invalid($"\"keep\" is {keep}; it must be 1–{RequestLimits.MaxKeep}.");

    /// <summary>
    /// A long poll: the metadata once the generation passes <c>after</c>, or nothing after the
    /// timeout (at most <see cref="RequestLimits.MaxWait"/>). It holds no thread while it waits
    /// (<see cref="CommitSignal"/>) and a slot of <see cref="WaitSlots"/>.
    /// </summary>
    private async Task<StateMetadata?> Wait(RemoteWire.WaitRequest request, ServerCallContext context)
    {
        var timeout = TimeSpan.FromMilliseconds(Math.Clamp(request.TimeoutMs, 0, (long)RequestLimits.MaxWait.TotalMilliseconds));
        using var slot = waits.Enter(context.Peer ?? "");
        using var watching = commits.Watch();
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var next = commits.Next; // before reading: a commit after the read completes it
            var metadata = StateMetadata.Read(options.StatePath);
            if (metadata.Generation > request.After) return metadata;
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) return null;
            await Task.WhenAny(next, Task.Delay(left, context.CancellationToken)).ConfigureAwait(false);
            context.CancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>A checkpoint named by its file name: only files of this state's checkpoints folder can be restored remotely.</summary>
    private string CheckpointFile(string name)
    {
        string file = System.IO.Path.GetFileName(name ?? "");
        string path = System.IO.Path.Combine(options.StatePath, Checkpoints.Folder, file);
        if (file.Length == 0 || !System.IO.File.Exists(path))
            throw new ClusterStateException(ErrorIds.CheckpointNotFound, ClusterStateErrorKind.NotFound,
                $"The server's state has no checkpoint '{Shorten(name)}' (see Get-ClusterStateCheckpoint).", name);
        return path;
    }

    private static T Required<T>(ReadOnlyMemory<byte> body, string action) where T : class =>
        body.IsEmpty ? throw RequestLimits.Invalid($"The action '{action}' needs a JSON {typeof(T).Name} body.")
            : RequestLimits.Read<T>(body.Span, $"body of '{action}'");

    private static T Optional<T>(ReadOnlyMemory<byte> body, string action) where T : class, new() =>
        body.IsEmpty ? new T() : RequestLimits.Read<T>(body.Span, $"body of '{action}'");

    /// <summary>Runs an action that takes no body; one that was sent anyway is refused (it means the caller meant another action).</summary>
    private static T NoBody<T>(ReadOnlyMemory<byte> body, string action, Func<T> work) =>
        body.IsEmpty ? work() : throw RequestLimits.Invalid($"The action '{action}' takes no body.");

    private ClusterSnapshot Open() => ClusterSnapshot.Open(options.StatePath);

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
