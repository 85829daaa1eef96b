using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using Apache.Arrow;
using Apache.Arrow.Types;
using ClusterState.Schema;
using Grpc.Core;

namespace ClusterState;

/// <summary>
/// What the ClusterState Flight server and its clients agree on beyond Arrow Flight itself: the
/// header batch, the JSON bodies of the actions, and how engine errors travel (status code,
/// message <c>"ErrorId: message"</c>, and trailers with the id, kind and target).
/// </summary>
public static class RemoteWire
{
    /// <summary>Trailer with the engine's ErrorId.</summary>
    public const string ErrorIdTrailer = "clusterstate-error-id";
    /// <summary>Trailer with the <see cref="ClusterStateErrorKind"/>.</summary>
    public const string ErrorKindTrailer = "clusterstate-error-kind";
    /// <summary>Trailer with the error's target as a JSON array of strings.</summary>
    public const string ErrorTargetTrailer = "clusterstate-error-target";

    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    /// <summary>A JSON ticket: <c>{"flight": "tasks", "query": {...}, "withIds": true}</c> or <c>{"flight": "state", "header": true}</c>.</summary>
    public sealed class TicketRequest
    {
        /// <summary>The flight: state, nodes, tasks or content.</summary>
        public string? Flight { get; set; }
        /// <summary>A NodeQuery, TaskQuery or ContentQuery for the entity flights (read strictly once the flight is known).</summary>
        public JsonElement? Query { get; set; }
        /// <summary>The state flight with empty entity lists.</summary>
        public bool Header { get; set; }
        /// <summary>Also the rows of the ids the query names.</summary>
        public bool WithIds { get; set; }
    }

    /// <summary>Body of the <c>wait</c> action.</summary>
    public sealed class WaitRequest
    {
        /// <summary>Answer once the generation is past this one.</summary>
        public long After { get; set; }
        /// <summary>Give up (no result) after this many milliseconds; the server caps it at 60 s.</summary>
        public long TimeoutMs { get; set; } = 30_000;
    }

    /// <summary>Body of the <c>changes</c> action.</summary>
    public sealed class ChangesRequest
    {
        /// <summary>Changes after this generation…</summary>
        public long After { get; set; }
        /// <summary>…up to and including this one.</summary>
        public long UpTo { get; set; } = long.MaxValue;
    }

    /// <summary>
    /// One result of the <c>changes</c> action: a commit's change, or a part of one. A change too
    /// large for one message (<see cref="RequestLimits.ChangeChunkBytes"/>) is sent as several
    /// parts of the same generation, each with some of its ids and objects and the counts of the
    /// whole; <see cref="More"/> says that the next result continues it.
    /// </summary>
    public sealed class ChangePart
    {
        /// <summary>The change, or the part of it this result holds.</summary>
        public ClusterStateChange Change { get; set; } = new();
        /// <summary>True when the next result holds more of the same change.</summary>
        public bool More { get; set; }
    }

    /// <summary>Body of the <c>checkpoint</c> action.</summary>
    public sealed class CheckpointRequest
    {
        /// <summary>How many timestamped checkpoints to keep.</summary>
        public int Keep { get; set; } = 10;
    }

    /// <summary>Body of the <c>restore</c> action.</summary>
    public sealed class RestoreRequest
    {
        /// <summary>The checkpoint's file name (in the state's checkpoints folder).</summary>
        public string Checkpoint { get; set; } = "";
    }

    /// <summary>Body of the <c>checkpoint-policy</c> action.</summary>
    public sealed class PolicyRequest
    {
        /// <summary>The new policy, or null to clear it.</summary>
        public CheckpointPolicy? Policy { get; set; }
    }

    /// <summary>The JSON of an action result (the metadata as its own file format).</summary>
    public static string ToJson(object? value) => value is StateMetadata metadata ? metadata.ToString() : JsonSerializer.Serialize(value);

    /// <summary>Reads an action result or body.</summary>
    public static T? FromJson<T>(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize<T>(json, Json);

    /// <summary>The generation a flight's schema says it was read from (-1 when it does not say).</summary>
    public static long GenerationOf(Apache.Arrow.Schema schema) =>
        schema.Metadata is { } m && m.TryGetValue(ClusterSchema.GenerationKey, out var g) && long.TryParse(g, NumberStyles.Integer, CultureInfo.InvariantCulture, out long generation) ? generation : -1;

    /// <summary>
    /// The state batch with every entity list empty: the scalars and the full schema (with its
    /// metadata), which a client completes from the entity flights.
    /// </summary>
    public static RecordBatch Header(ClusterSnapshot snapshot)
    {
        var batch = snapshot.Data.TopBatch; // its entity lists are emptied below: no need to fold a commit log in
        var columns = new List<IArrowArray>(batch.ColumnCount);
        for (int i = 0; i < batch.ColumnCount; i++)
        {
            var column = batch.Column(i);
            columns.Add(IsEntity(batch.Schema.GetFieldByIndex(i).Name) && column is ListArray list
                ? StateBatchBuilder.OneRowList((ListType)list.Data.DataType, ArrowArrayFactory.Slice(list.Values, 0, 0))
                : column);
        }
        return new RecordBatch(new Apache.Arrow.Schema(batch.Schema.FieldsList, EntityBatches.FlightMetadata(snapshot)), columns, 1);
    }

    /// <summary>
    /// Completes a header batch with the rows of each entity (flat batches, as the entity flights
    /// send them): the one-row state batch a snapshot file holds. It shares the header's and the
    /// chunks' buffers; <paramref name="owned"/> gets the arrays it allocated (concatenations of
    /// several chunks), for the caller to dispose when the batch is no longer used.
    /// </summary>
    public static RecordBatch Assemble(RecordBatch header, IReadOnlyDictionary<string, IReadOnlyList<RecordBatch>> entities, ICollection<IDisposable>? owned = null)
    {
        var columns = new List<IArrowArray>(header.ColumnCount);
        for (int i = 0; i < header.ColumnCount; i++)
        {
            var field = header.Schema.GetFieldByIndex(i);
            if (!entities.TryGetValue(field.Name, out var chunks) || field.DataType is not ListType listType || listType.ValueDataType is not StructType structType)
            {
                columns.Add(header.Column(i));
                continue;
            }
            var parts = chunks.Select(b => (IArrowArray)new StructArray(structType, b.Length, b.Arrays, ArrowBuffer.Empty, 0)).ToList();
            IArrowArray values = parts.Count switch
            {
                0 => ((ListArray)header.Column(i)).Values,
                1 => parts[0],
                _ => Concatenate(structType, parts),
            };
            if (parts.Count > 1) owned?.Add(values);
            columns.Add(StateBatchBuilder.OneRowList(listType, values));
        }
        return new RecordBatch(header.Schema, columns, 1);
    }

    /// <summary>
    /// The chunks' rows as one array, copied by <see cref="Storage.ArrayInterleave"/>: Arrow's own
    /// concatenation fails on chunks whose list fields are all empty as the IPC reader gives them
    /// (ArgumentOutOfRange in its value-buffer copy), and a state whose newest tasks have no
    /// outputs yet is exactly that.
    /// </summary>
    private static IArrowArray Concatenate(StructType type, List<IArrowArray> parts)
    {
        var plan = new Storage.ArrayInterleave.Take[parts.Sum(p => p.Length)];
        int at = 0;
        for (int k = 0; k < parts.Count; k++)
        {
            for (int row = 0; row < parts[k].Length; row++) plan[at++] = new Storage.ArrayInterleave.Take(k, row);
        }
        return Storage.ArrayInterleave.Build(type, parts.ToArray(), plan);
    }

    private static bool IsEntity(string name) => name is ClusterSchema.Names.Nodes or ClusterSchema.Names.Tasks or ClusterSchema.Names.Content;

    /// <summary>An engine error as a gRPC status (the ErrorId first in the message) with trailers; <paramref name="code"/> overrides the status the kind gives.</summary>
    public static RpcException ToRpcException(ClusterStateException e, StatusCode? code = null)
    {
        code ??= e.ErrorId is ErrorIds.RequestTooLarge or ErrorIds.ServerBusy ? StatusCode.ResourceExhausted : e.Kind switch
        {
            ClusterStateErrorKind.Conflict => StatusCode.FailedPrecondition,
            ClusterStateErrorKind.NotFound => StatusCode.NotFound,
            ClusterStateErrorKind.InvalidArgument or ClusterStateErrorKind.InvalidData => StatusCode.InvalidArgument,
            ClusterStateErrorKind.AlreadyExists => StatusCode.AlreadyExists,
            ClusterStateErrorKind.ResourceUnavailable or ClusterStateErrorKind.Timeout => StatusCode.Unavailable,
            ClusterStateErrorKind.PermissionDenied => StatusCode.PermissionDenied,
            _ => StatusCode.Internal,
        };
        var trailers = new Metadata
        {
            { ErrorIdTrailer, e.ErrorId },
            { ErrorKindTrailer, e.Kind.ToString() },
        };
        var targets = e.Target switch
        {
            string s => new[] { s },
            IEnumerable<string> many => many.ToArray(),
            _ => null,
        };
        if (targets is not null) trailers.Add(ErrorTargetTrailer, Uri.EscapeDataString(JsonSerializer.Serialize(targets)));
        return new RpcException(new Status(code.Value, $"{e.ErrorId}: {e.Message}"), trailers);
    }

    /// <summary>
    /// A gRPC failure as the engine error it was on the server, or as ServerUnavailable,
    /// ServerUnauthorized or ServerFailed when the call itself failed.
    /// </summary>
    /// <param name="e">The failure.</param>
    /// <param name="location">The server's URI, for messages.</param>
    /// <param name="maybeApplied">True for a change whose request may have reached the server before the failure.</param>
    public static Exception FromRpcException(RpcException e, string location, bool maybeApplied = false)
    {
        if (e.StatusCode == StatusCode.Cancelled) return new OperationCanceledException(e.Message, e);
        string? id = e.Trailers.GetValue(ErrorIdTrailer);
        if (id is not null)
        {
            var kind = Enum.TryParse<ClusterStateErrorKind>(e.Trailers.GetValue(ErrorKindTrailer), out var k) ? k : ClusterStateErrorKind.WriteError;
            string message = e.Status.Detail.StartsWith(id + ": ", StringComparison.Ordinal) ? e.Status.Detail[(id.Length + 2)..] : e.Status.Detail;
            object? target = location;
            if (e.Trailers.GetValue(ErrorTargetTrailer) is { } json)
            {
                var targets = JsonSerializer.Deserialize<string[]>(Uri.UnescapeDataString(json)) ?? System.Array.Empty<string>();
                target = targets.Length == 1 ? targets[0] : targets;
            }
            return new ClusterStateException(id, kind, message, target, e);
        }
        for (var inner = e.Status.DebugException; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Security.Authentication.AuthenticationException)
                return new ClusterStateException(ErrorIds.ServerCertificateRejected, ClusterStateErrorKind.PermissionDenied,
                    $"The TLS certificate of the ClusterState server at {location} is not trusted ({inner.Message}); the connection must be given that certificate.", location, e);
        }
        return e.StatusCode switch
        {
            // gRPC refuses a message over the receiver's limit before any handler runs: nothing was applied.
            StatusCode.ResourceExhausted => new ClusterStateException(ErrorIds.RequestTooLarge, ClusterStateErrorKind.InvalidArgument,
                $"The request is larger than the ClusterState server at {location} accepts ({e.Status.Detail}); nothing was changed. Send fewer items per command, or start the server with a larger request limit.", location, e),
            StatusCode.Unauthenticated or StatusCode.PermissionDenied => new ClusterStateException(ErrorIds.ServerUnauthorized, ClusterStateErrorKind.PermissionDenied,
                $"The ClusterState server at {location} refused the call: {e.Status.Detail} The call needs the server's token (the connection's, or the environment variable {RemoteState.TokenVariable}).", location, e),
            StatusCode.Unavailable or StatusCode.DeadlineExceeded => new ClusterStateException(ErrorIds.ServerUnavailable, ClusterStateErrorKind.ResourceUnavailable,
                $"The ClusterState server at {location} does not answer ({e.Status.Detail}). Is it running?"
                + (maybeApplied ? " The change may or may not have been applied: check the state's generation before repeating it." : ""), location, e),
            _ => new ClusterStateException(ErrorIds.ServerFailed, ClusterStateErrorKind.ResourceUnavailable,
                $"The ClusterState server at {location} failed the call: {e.StatusCode}: {e.Status.Detail}", location, e),
        };
    }
}
