using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Apache.Arrow;
using Apache.Arrow.Flight;
using Apache.Arrow.Flight.Client;
using Grpc.Core;
using Grpc.Net.Client;

namespace ClusterState;

/// <summary>
/// A state served by a ClusterState server (Arrow Flight over gRPC). Reads fetch the current
/// generation's flights — the header and the nodes, tasks and content in row chunks — and keep
/// them as an Arrow IPC file in the user's private cache folder (<see cref="RemoteCache"/>: owner-only,
/// checked before use, each file verified by its digest), memory-mapped like a local snapshot; the
/// next read asks only for the metadata (one small round trip) and maps the cached file again
/// while the generation is unchanged. A fetch whose flights come from different generations is
/// discarded and repeated, so a read never mixes two commits. Writes are actions the server
/// applies as normal commits. One channel per server is kept for the process (disposing a
/// RemoteState leaves it open; <see cref="Disconnect"/> closes it).
/// </summary>
public sealed class RemoteState : StateSource
{
    /// <summary>Environment variable with the default bearer token.</summary>
    public const string TokenVariable = "CLUSTERSTATE_SERVER_TOKEN";

    private static readonly ConcurrentDictionary<string, RemoteState> Connections = new(StringComparer.OrdinalIgnoreCase);
    private static readonly string[] Schemes = { "grpc", "grpc+tcp", "grpc+tls", "grpcs" };

    private readonly SocketsHttpHandler _handler;
    private readonly Func<GrpcChannel> _newChannel;
    private GrpcChannel _channel;
    private FlightClient _client;
    private readonly string? _token; // null: the environment's, read at each call
    private readonly RemoteCache _cache;
    private (string Key, RecordBatch Batch)? _header; // the header of the newest generation a query read

    private RemoteState(Uri uri, RemoteOptions options)
    {
        bool tls = uri.Scheme is "grpc+tls" or "grpcs";
        Location = Key(uri);
        var handler = _handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) };
        if (tls && (options.SkipCertificateCheck || options.ServerCertificate is not null))
        {
            var pinned = options.ServerCertificate;
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                options.SkipCertificateCheck || errors == System.Net.Security.SslPolicyErrors.None
                || (pinned is not null && certificate is not null && certificate.GetCertHash().AsSpan().SequenceEqual(pinned.GetCertHash()));
        }
        string address = (tls ? "https://" : "http://") + uri.Authority;
        _newChannel = () => GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            // Chunks of many thousand rows are far larger than gRPC's 4 MB default.
            MaxReceiveMessageSize = null,
            MaxSendMessageSize = null,
            HttpHandler = handler,
            DisposeHttpClient = false,
        });
        _channel = _newChannel();
        _client = new FlightClient(_channel);
        _token = options.Token;
        _cache = new RemoteCache(Location);
    }

    /// <inheritdoc />
    public override string Location { get; }

    /// <inheritdoc />
    public override bool IsRemote => true;

    /// <summary>True for grpc://, grpc+tcp://, grpc+tls:// and grpcs:// URIs.</summary>
    public static bool IsRemoteUri(string? location) =>
        location is not null && location.Contains("://", StringComparison.Ordinal)
        && Schemes.Any(s => location.StartsWith(s + "://", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Connects to a server with these options, replacing an earlier connection to it, and checks
    /// that it answers (reading its metadata). Later <see cref="For"/> calls reuse the connection.
    /// </summary>
    public static RemoteState Connect(string uri, RemoteOptions options)
    {
        var remote = new RemoteState(Parse(uri), options);
        remote.ReadMetadata();
        if (Connections.TryRemove(remote.Location, out var previous)) previous.Close();
        Connections[remote.Location] = remote;
        return remote;
    }

    /// <summary>The connection to a server: the one <see cref="Connect"/> made, or a new one with the token from the environment.</summary>
    public static RemoteState For(string uri)
    {
        var parsed = Parse(uri);
        return Connections.GetOrAdd(Key(parsed), _ => new RemoteState(parsed, new RemoteOptions()));
    }

    /// <summary>A server's name in the connection table and in messages: scheme and authority.</summary>
    private static string Key(Uri uri) => $"{uri.Scheme}://{uri.Authority}";

    private static Uri Parse(string uri)
    {
        if (!IsRemoteUri(uri) || !Uri.TryCreate(uri, UriKind.Absolute, out var parsed) || parsed.Port <= 0 || parsed.AbsolutePath is not ("" or "/"))
            throw new ClusterStateException(ErrorIds.RemoteUriInvalid, ClusterStateErrorKind.InvalidArgument,
                $"'{uri}' is not the address of a ClusterState server; use grpc://host:port (or grpc+tls://host:port).", uri);
        return parsed;
    }

    /// <inheritdoc />
    public override StateMetadata ReadMetadata() =>
        StateMetadata.Parse(Action("metadata", null, deadline: TimeSpan.FromSeconds(30)).Single(), Location + " (state_metadata.json)");

    /// <summary>The server describes its state (one round trip, nothing copied).</summary>
    public override ClusterMetadata Describe()
    {
        var metadata = Result<ClusterMetadata>(Action("describe", null, deadline: TimeSpan.FromSeconds(30)).Single());
        metadata.StatePath = Location;
        return metadata;
    }

    /// <inheritdoc />
    public override ClusterSnapshot Open(Action<long, long>? progress) =>
        ReadStable(metadata => Fetch(metadata, progress) ? OpenCached(metadata) : null);

    /// <summary>
    /// A snapshot that answers one query of one entity (nodes, tasks or content; a
    /// <see cref="NodeQuery"/>, <see cref="TaskQuery"/> or <see cref="ContentQuery"/>): the cached
    /// snapshot when it is of the current generation, else a partial one holding only the rows the
    /// server's evaluation of the query returned (plus the rows of its ids, so "not found" is
    /// decided as locally). Evaluate the same query on it.
    /// </summary>
    public ClusterSnapshot OpenFor(string entity, object query)
    {
        string ticket = System.Text.Json.JsonSerializer.Serialize(new { flight = entity, query, withIds = true });
        return ReadStable(metadata =>
        {
            // The header (schema and scalars) is the same for every query of a generation: read it once.
            string key = RemoteCache.BaseName(metadata);
            var known = _header;
            bool haveHeader = known?.Key == key;
            var results = Call(() => Task.WhenAll(haveHeader ? Task.FromResult(new List<RecordBatch> { known!.Value.Batch }) : ReadFlight(HeaderTicket), ReadFlight(ticket)), idempotent: true);
            var header = results[0].FirstOrDefault();
            try
            {
                if (!OfGeneration(results, metadata.Generation)) return null;
                if (!haveHeader && results[0].Count == 1)
                {
                    _header = (key, header!);
                    header = null; // kept for the next query of this generation, not disposed
                }
                return WriteAssembled(results[0][0], new Dictionary<string, IReadOnlyList<RecordBatch>>(StringComparer.Ordinal) { [entity] = results[1] },
                    batch => _cache.OpenPartial(batch, metadata));
            }
            finally
            {
                foreach (var batch in results[1]) batch.Dispose();
                if (!haveHeader) header?.Dispose();
            }
        });
    }

    /// <summary>
    /// Reads the metadata and answers from the cached copy of that generation, or else with
    /// <paramref name="read"/>; null from it means a commit landed between the metadata and the
    /// flights, and everything is read again (at most six times).
    /// </summary>
    private ClusterSnapshot ReadStable(Func<StateMetadata, ClusterSnapshot?> read)
    {
        const int Reads = 6;
        for (int attempt = 0; attempt < Reads; attempt++)
        {
            var metadata = ReadMetadata();
            if ((OpenCached(metadata) ?? read(metadata)) is { } snapshot) return snapshot;
        }
        throw new ClusterStateException(ErrorIds.ServerFailed, ClusterStateErrorKind.ResourceUnavailable,
            $"The state at {Location} changed during every one of {Reads} reads; try again.", Location);
    }

    /// <summary>The cached copy of a generation, mapped and verified (<see cref="RemoteCache"/>); null when there is none.</summary>
    private ClusterSnapshot? OpenCached(StateMetadata metadata) => _cache.Open(metadata);

    private const string HeaderTicket = "{\"flight\":\"state\",\"header\":true}";

    /// <summary>True when every flight sent a batch and all come from <paramref name="generation"/>.</summary>
    private static bool OfGeneration(IEnumerable<List<RecordBatch>> flights, long generation) =>
        flights.All(batches => batches.Count > 0 && RemoteWire.GenerationOf(batches[0].Schema) == generation);

    /// <summary>Assembles the state batch from a header and entity rows, writes it, and frees the arrays the assembly allocated.</summary>
    private static T WriteAssembled<T>(RecordBatch header, IReadOnlyDictionary<string, IReadOnlyList<RecordBatch>> entities, Func<RecordBatch, T> write)
    {
        var owned = new List<IDisposable>();
        try
        {
            return write(RemoteWire.Assemble(header, entities, owned));
        }
        finally
        {
            foreach (var array in owned) array.Dispose();
        }
    }

    /// <summary>
    /// Reads the header and the three entity flights of one generation and writes them as the
    /// cached snapshot file. False when the flights came from different generations (a commit
    /// landed in between): nothing is written and the caller reads again.
    /// </summary>
    private bool Fetch(StateMetadata metadata, Action<long, long>? progress)
    {
        var flights = new[] { HeaderTicket, ClusterSchema.Names.Nodes, ClusterSchema.Names.Tasks, ClusterSchema.Names.Content };
        long received = 0, total = 0;
        if (progress is not null)
        {
            var counts = Describe();
            total = (long)counts.NodeCount + counts.TaskCount + counts.ContentCount;
        }
        var results = Call(() => Task.WhenAll(flights.Select(f => ReadFlight(f, rows => Interlocked.Add(ref received, rows)))), idempotent: true,
            tick: progress is null ? null : () => progress(Interlocked.Read(ref received), total)).ToArray();
        try
        {
            if (!OfGeneration(results, metadata.Generation)) return false;
            var entities = new Dictionary<string, IReadOnlyList<RecordBatch>>(StringComparer.Ordinal)
            {
                [ClusterSchema.Names.Nodes] = results[1],
                [ClusterSchema.Names.Tasks] = results[2],
                [ClusterSchema.Names.Content] = results[3],
            };
            return WriteAssembled(results[0][0], entities, batch =>
            {
                _cache.Store(batch, metadata);
                return true;
            });
        }
        finally
        {
            foreach (var batch in results.SelectMany(b => b)) batch.Dispose();
        }
    }

    private async Task<List<RecordBatch>> ReadFlight(string ticket) => await ReadFlight(ticket, null).ConfigureAwait(false);

    private async Task<List<RecordBatch>> ReadFlight(string ticket, Action<long>? received)
    {
        var batches = new List<RecordBatch>();
        using var call = _client.GetStream(new FlightTicket(ticket), Headers());
        while (await call.ResponseStream.MoveNext(default).ConfigureAwait(false))
        {
            batches.Add(call.ResponseStream.Current);
            received?.Invoke(call.ResponseStream.Current.Length);
        }
        return batches;
    }

    /// <summary>The bearer token: the one given to Connect, else $env:CLUSTERSTATE_SERVER_TOKEN as it is now.</summary>
    private Metadata Headers()
    {
        var headers = new Metadata();
        string? token = _token ?? Environment.GetEnvironmentVariable(TokenVariable);
        if (!string.IsNullOrEmpty(token)) headers.Add("authorization", "Bearer " + token);
        return headers;
    }

    /// <inheritdoc />
    public override CommitResult Commit(ChangeSet changes)
    {
        // Checked here too: JSON would turn a lone surrogate into U+FFFD before the server's check sees it.
        Storage.ChangeRules.CheckIds(changes);
        return Result<CommitResult>(Action("commit", changes, idempotent: false).Single());
    }

    /// <inheritdoc />
    public override CommitResult Commit(Func<ClusterSnapshot, ChangeSet> plan)
    {
        for (int attempt = 0; ; attempt++)
        {
            ChangeSet changes;
            using (var snapshot = Open())
            {
                changes = plan(snapshot);
                changes.ExpectedGeneration = snapshot.Generation;
            }
            try
            {
                return Commit(changes);
            }
            catch (ClusterStateException e) when (e.ErrorId == ErrorIds.GenerationConflict && attempt < 20)
            {
                // Another writer committed after the plan was made: plan again on the new state.
            }
        }
    }

    /// <inheritdoc />
    public override StateMetadata? WaitForCommit(long afterGeneration, TimeSpan timeout, CancellationToken cancel)
    {
        var deadline = timeout == Timeout.InfiniteTimeSpan ? DateTime.MaxValue : DateTime.UtcNow + timeout;
        while (true)
        {
            long left = deadline == DateTime.MaxValue ? 30_000 : (long)Math.Min(30_000, Math.Max(0, (deadline - DateTime.UtcNow).TotalMilliseconds));
            var results = Action("wait", new RemoteWire.WaitRequest { After = afterGeneration, TimeoutMs = left }, cancel: cancel);
            if (results.Count > 0) return StateMetadata.Parse(results[0], Location + " (state_metadata.json)");
            if (DateTime.UtcNow >= deadline) return null;
        }
    }

    /// <inheritdoc />
    public override IEnumerable<ClusterStateChange> ChangesBetween(long after, long upTo)
    {
        // A server answers one bounded piece of the range (RequestLimits.MaxChangesBytes) and ends
        // it at a whole generation: ask again from the last one until the range is done or the
        // server has nothing more (its range ends at its current generation).
        while (after < upTo)
        {
            var changes = ChangeParts.Join(Action("changes", new RemoteWire.ChangesRequest { After = after, UpTo = upTo }).Select(Part));
            if (changes.Count == 0) yield break;
            foreach (var c in changes)
            {
                if (c.Generation <= after) throw new ClusterStateException(ErrorIds.ServerFailed, ClusterStateErrorKind.ResourceUnavailable,
                    $"The server answered changes after generation {after} with generation {c.Generation}.");
                c.StatePath = Location;
                yield return c;
            }
            after = changes[^1].Generation;
        }
    }

    /// <summary>A result of <c>changes</c>: a part (this version's servers), or a whole change (earlier servers, which sent no objects).</summary>
    private static RemoteWire.ChangePart Part(byte[] json)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json);
        bool isPart = document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
            && document.RootElement.EnumerateObject().Any(p => p.Name.Equals(nameof(RemoteWire.ChangePart.Change), StringComparison.OrdinalIgnoreCase));
        return isPart ? Result<RemoteWire.ChangePart>(json) : new RemoteWire.ChangePart { Change = Result<ClusterStateChange>(json) };
    }

    /// <inheritdoc />
    public override CheckpointInfo SaveCheckpoint(int keep, Action<int, int>? progress) =>
        Remote(Result<CheckpointInfo>(Action("checkpoint", new RemoteWire.CheckpointRequest { Keep = keep }, idempotent: false).Single()));

    /// <inheritdoc />
    public override CheckpointInfo? SaveCheckpointIfDue(Action<int, int>? progress) => null; // the server checks its policy after each commit

    /// <inheritdoc />
    public override IReadOnlyList<CheckpointInfo> ListCheckpoints() =>
        Action("checkpoints", null).Select(r => Remote(Result<CheckpointInfo>(r))).ToList();

    /// <inheritdoc />
    public override StateMetadata Restore(CheckpointInfo checkpoint) =>
        StateMetadata.Parse(Action("restore", new RemoteWire.RestoreRequest { Checkpoint = Path.GetFileName(checkpoint.Path) }, idempotent: false).Single(), Location);

    /// <inheritdoc />
    public override void SetCheckpointPolicy(CheckpointPolicy? policy) => Action("checkpoint-policy", new RemoteWire.PolicyRequest { Policy = policy }, idempotent: false);

    /// <inheritdoc />
    public override CommitResult? Migrate(Action<string>? progress) => RemoteWire.FromJson<CommitResult?>(Action("migrate", null, idempotent: false).Single());

    /// <inheritdoc />
    public override long? Compact(Action<string>? progress) => RemoteWire.FromJson<long?>(Action("compact", null, idempotent: true).Single());

    private CheckpointInfo Remote(CheckpointInfo info)
    {
        info.StatePath = Location; // piped into Restore-ClusterState, it names this server
        return info;
    }

    private static T Result<T>(byte[] json) => RemoteWire.FromJson<T>(json)
        ?? throw new ClusterStateException(ErrorIds.ServerFailed, ClusterStateErrorKind.ResourceUnavailable, $"The server answered without a {typeof(T).Name}.");

    /// <summary>Runs an action and returns its result bodies.</summary>
    private List<byte[]> Action(string type, object? body, TimeSpan? deadline = null, bool idempotent = true, CancellationToken cancel = default) => Call(async () =>
    {
        var action = body is null ? new FlightAction(type) : new FlightAction(type, System.Text.Json.JsonSerializer.Serialize(body));
        using var call = _client.DoAction(action, Headers(), deadline is { } d ? DateTime.UtcNow + d : null, cancel);
        var results = new List<byte[]>();
        while (await call.ResponseStream.MoveNext(cancel).ConfigureAwait(false)) results.Add(call.ResponseStream.Current.Body.ToByteArray());
        return results;
    }, idempotent);

    /// <summary>
    /// Waits for a call, turning gRPC failures into the engine's errors. A server that was
    /// restarted leaves the channel waiting out its reconnect backoff, so an unavailable server is
    /// tried once more on a new channel — for reads always, for changes only when the connection
    /// was refused (the request never reached a server, so it cannot have been applied).
    /// </summary>
    private T Call<T>(Func<Task<T>> call, bool idempotent, Action? tick = null)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                var task = Task.Run(call);
                // Progress is reported from the calling thread (a cmdlet may only write progress there).
                if (tick is not null)
                {
                    tick();
                    while (!((IAsyncResult)task).AsyncWaitHandle.WaitOne(250)) tick();
                }
                return task.GetAwaiter().GetResult();
            }
            catch (RpcException e) when (attempt == 0 && e.StatusCode == StatusCode.Unavailable && (idempotent || NeverSent(e)))
            {
                var old = _channel;
                _channel = _newChannel();
                _client = new FlightClient(_channel);
                // Calls of other threads may still run on the old channel: close it later.
                _ = Task.Delay(TimeSpan.FromMinutes(1)).ContinueWith(_ => old.Dispose(), TaskScheduler.Default);
            }
            catch (RpcException e)
            {
                throw RemoteWire.FromRpcException(e, Location, maybeApplied: !idempotent && !NeverSent(e));
            }
        }
    }

    private static bool NeverSent(RpcException e) =>
        e.Status.DebugException is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused }
        || e.Status.DebugException?.InnerException is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.ConnectionRefused };

    private void Close()
    {
        _channel.Dispose();
        _handler.Dispose();
    }

    /// <summary>Forgets the connection to a server.</summary>
    public static void Disconnect(string uri)
    {
        if (Connections.TryRemove(Key(Parse(uri)), out var remote)) remote.Close();
    }
}
