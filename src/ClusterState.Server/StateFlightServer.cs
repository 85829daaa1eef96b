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

    public override async Task DoGet(FlightTicket ticket, FlightServerRecordBatchStreamWriter responseStream, ServerCallContext context)
    {
        string name = ticket.Ticket.ToStringUtf8();
        using var snapshot = Open();
        if (name == "state")
        {
            await responseStream.WriteAsync(snapshot.RecordBatch).ConfigureAwait(false);
            return;
        }
        var (items, start, count) = Entity(snapshot, name);
        var schema = ItemSchema(items);
        for (int at = 0; at < count || at == 0; at += options.ChunkRows)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            int rows = Math.Min(options.ChunkRows, count - at);
            var columns = items.Fields.Select(f => ArrowArrayFactory.Slice(f, start + at, rows)).ToList();
            await responseStream.WriteAsync(new RecordBatch(schema, columns, rows)).ConfigureAwait(false);
            if (count == 0) break;
        }
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

    private static string Name(FlightDescriptor descriptor)
    {
        string? name = descriptor.Paths.FirstOrDefault();
        if (name is null || !Flights.Contains(name))
            throw new RpcException(new Status(StatusCode.NotFound, $"No flight '{name}'; the flights are {string.Join(", ", Flights)}."));
        return name;
    }

    private static (StructArray Items, int Start, int Count) Entity(ClusterSnapshot snapshot, string name)
    {
        if (!Flights.Contains(name) || name == "state")
            throw new RpcException(new Status(StatusCode.NotFound, $"No flight '{name}'; the flights are {string.Join(", ", Flights)}."));
        var list = (ListArray)snapshot.RecordBatch.Column(name);
        return ((StructArray)list.Values, list.ValueOffsets[0], list.GetValueLength(0));
    }

    private static Apache.Arrow.Schema ItemSchema(StructArray items) =>
        new(((StructType)items.Data.DataType).Fields, null);

    private static Apache.Arrow.Schema SchemaOf(ClusterSnapshot snapshot, string name) =>
        name == "state" ? snapshot.Schema : ItemSchema(Entity(snapshot, name).Items);

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
