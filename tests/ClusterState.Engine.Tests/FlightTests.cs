using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;
using Apache.Arrow;
using Apache.Arrow.Flight;
using Apache.Arrow.Flight.Client;
using Grpc.Core;
using Grpc.Net.Client;
using Xunit;

namespace ClusterState.Engine.Tests;

/// <summary>The Arrow Flight server as a real process on loopback, read by the Arrow Flight client.</summary>
[Collection("Processes")]
public sealed class FlightTests : IDisposable
{
    private const string Token = ServerProcess.Token;
    private readonly TempDirectory _dir = new();
    private readonly string _state;
    private readonly ServerProcess _server;
    private readonly GrpcChannel _channel;

    public FlightTests()
    {
        _state = _dir.Combine("s");
        // A cluster id of its own: the remote cache is per user, and another test's state of the same
        // sample at the same generation would look like this one's (its full copy would answer queries).
        var content = TestStates.Sample(nodes: 20, tasks: 50_000, content: 3_000).ToStateContent();
        content.ClusterId = "flight-" + Guid.NewGuid().ToString("N")[..12];
        StateStore.Create(_state, content);
        _server = new ServerProcess(_state, "--chunk-rows", "8192");
        _channel = GrpcChannel.ForAddress(_server.Address, new GrpcChannelOptions { MaxReceiveMessageSize = null });
    }

    private string Listening => _server.Listening;

    private string Uri => _server.Uri;

    private static string Json(ClusterSnapshot snapshot)
    {
        using var stream = new MemoryStream();
        StateExport.WriteJson(snapshot, stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public void RemoteState_reads_the_same_state_as_the_directory_and_maps_it()
    {
        var remote = RemoteState.Connect(Uri, new RemoteOptions { Token = Token });
        using var local = ClusterSnapshot.Open(_state);
        using var copy = remote.Open();
        Assert.Equal(local.Generation, copy.Generation);
        Assert.Equal(Uri, copy.StatePath);
        Assert.False(copy.IsPartial);
        Assert.True(copy.IsZeroCopy());
        Assert.Equal(Json(local), Json(copy));
        // Unchanged generation: the cached file is mapped again, not fetched.
        using var again = remote.Open();
        Assert.Equal(copy.SnapshotPath, again.SnapshotPath);
    }

    [Fact]
    public void RemoteState_fetches_again_when_its_cached_copy_is_damaged()
    {
        var remote = RemoteState.Connect(Uri, new RemoteOptions { Token = Token });
        string cached;
        using (var copy = remote.Open()) cached = copy.SnapshotPath;
        ClusterSnapshot.ClearCache();
        using (var file = new FileStream(cached, FileMode.Open, FileAccess.Write)) file.SetLength(file.Length / 2);
        using var local = ClusterSnapshot.Open(_state);
        using var again = remote.Open();
        Assert.Equal(Json(local), Json(again));
    }

    [Fact]
    public void RemoteState_pushes_queries_down_and_answers_exactly_like_a_local_query()
    {
        var remote = RemoteState.Connect(Uri, new RemoteOptions { Token = Token });
        using var local = ClusterSnapshot.Open(_state);
        var someIds = local.FindTasks(new TaskQuery()).Items.Take(5).Select(t => t.Id).ToArray();
        var queries = new[]
        {
            new TaskQuery { Status = new[] { "failed" } },
            new TaskQuery { Status = new[] { "pending", "running" }, MinCpuCores = 4 },
            new TaskQuery { Id = someIds.Append("task-missing").ToArray(), Status = new[] { "completed" } },
            new TaskQuery { Id = new[] { someIds[0][..8] + "*" } },
        };
        foreach (var query in queries)
        {
            using var partial = remote.OpenFor(ClusterSchema.Names.Tasks, query);
            Assert.True(partial.IsPartial);
            var expected = local.FindTasks(query);
            var actual = partial.FindTasks(query);
            Assert.Equal(expected.Items.Select(t => (t.Id, t.Status, t.Resources?.CpuCores, t.InputCids.Length)), actual.Items.Select(t => (t.Id, t.Status, t.Resources?.CpuCores, t.InputCids.Length)));
            Assert.Equal(expected.MissingIds, actual.MissingIds);
            Assert.True(partial.TaskCount < local.TaskCount / 2, $"only matching rows travel ({partial.TaskCount} of {local.TaskCount})");
            Assert.Equal(0, partial.NodeCount);
        }
        var nodes = new NodeQuery { Role = new[] { "worker" }, Id = new[] { local.FindNodes(new NodeQuery()).Items.First().Id } };
        using (var partialNodes = remote.OpenFor(ClusterSchema.Names.Nodes, nodes))
        {
            Assert.Equal(local.FindNodes(nodes).Items.Select(n => n.Id), partialNodes.FindNodes(nodes).Items.Select(n => n.Id));
            Assert.Equal(local.FindNodes(nodes).MissingIds, partialNodes.FindNodes(nodes).MissingIds);
        }
    }

    [Fact]
    public void RemoteState_commits_and_reads_the_next_generation_while_old_handles_stay_readable()
    {
        var remote = RemoteState.Connect(Uri, new RemoteOptions { Token = Token });
        using var before = remote.Open();
        var task = before.FindTasks(new TaskQuery { Status = new[] { "pending" } }).Items.First();
        var result = remote.Commit(new ChangeSet { UpdateTasks = { new TaskUpdate { Id = task.Id, Status = "cancelled" } } });
        Assert.Equal(before.Generation + 1, result.Generation);
        using var after = remote.Open();
        Assert.Equal(result.Generation, after.Generation);
        Assert.Equal("cancelled", after.FindTasks(new TaskQuery { Id = new[] { task.Id } }).Items.Single().Status);
        Assert.Equal("pending", before.FindTasks(new TaskQuery { Id = new[] { task.Id } }).Items.Single().Status);
        var change = Assert.Single(remote.ChangesBetween(before.Generation, after.Generation));
        Assert.Equal(task.Id, change.Tasks.UpdatedIds.Single());
        // The changed object itself travels, complete.
        var changed = Assert.Single(change.ChangedTasks);
        Assert.Equal((task.Id, "cancelled", task.Type, task.MemoryMB), (changed.Id, changed.Status, changed.Type, changed.MemoryMB));
    }

    [Fact]
    public void RemoteState_reports_engine_errors_with_their_ids_and_refuses_bad_tokens()
    {
        var remote = RemoteState.Connect(Uri, new RemoteOptions { Token = Token });
        string id;
        using (var snapshot = remote.Open()) id = snapshot.FindTasks(new TaskQuery()).Items.First().Id;
        var duplicate = Assert.Throws<ClusterStateException>(() => remote.Commit(new ChangeSet { AddTasks = { new ClusterTask { Id = id, Type = "x", Status = "pending" } } }));
        Assert.Equal(ErrorIds.DuplicateId, duplicate.ErrorId);
        Assert.Equal(ClusterStateErrorKind.AlreadyExists, duplicate.Kind);
        Assert.Equal(id, duplicate.Target);
        var denied = Assert.Throws<ClusterStateException>(() => RemoteState.Connect(Uri, new RemoteOptions { Token = "wrong" }));
        Assert.Equal(ErrorIds.ServerUnauthorized, denied.ErrorId);
        Assert.Equal(ClusterStateErrorKind.PermissionDenied, denied.Kind);
    }

    private static Metadata Auth(string token = Token) => ServerProcess.Auth(token);

    private static async Task<List<RecordBatch>> ReadAll(FlightClient client, string ticket, Metadata headers)
    {
        var batches = new List<RecordBatch>();
        using var call = client.GetStream(new FlightTicket(ticket), headers);
        while (await call.ResponseStream.MoveNext(default)) batches.Add(call.ResponseStream.Current);
        return batches;
    }

    [Fact]
    public async Task ServesTheStateAndEachCollectionInChunks_OnLoopbackOnly()
    {
        Assert.StartsWith("listening grpc://127.0.0.1:", Listening);
        var client = new FlightClient(_channel);
        using var snapshot = ClusterSnapshot.Open(_state);

        var infos = new List<FlightInfo>();
        using (var list = client.ListFlights(new FlightCriteria(), Auth()))
        {
            while (await list.ResponseStream.MoveNext(default)) infos.Add(list.ResponseStream.Current);
        }
        Assert.Equal(new[] { "state", "nodes", "tasks", "content" }, infos.Select(i => i.Descriptor.Paths.Single()));
        Assert.Equal(new long[] { 1, snapshot.NodeCount, snapshot.TaskCount, snapshot.ContentCount }, infos.Select(i => i.TotalRecords));

        var tasks = await ReadAll(client, "tasks", Auth());
        // At most --chunk-rows rows per chunk, and at most 3 MiB: more chunks than rows alone would make.
        Assert.True(tasks.Count >= (snapshot.TaskCount + 8191) / 8192);
        Assert.All(tasks, b => Assert.True(b.Length <= 8192));
        var statuses = tasks.SelectMany(b => Enumerable.Range(0, b.Length).Select(i => (string?)((StringArray)b.Column("status")).GetString(i))).ToList();
        var expected = snapshot.FindTasks(new TaskQuery()).Items.Select(t => t.Status).ToList();
        Assert.Equal(expected, statuses);
        var ids = tasks.SelectMany(b => Enumerable.Range(0, b.Length).Select(i => ((StringArray)b.Column("id")).GetString(i)));
        Assert.Equal(snapshot.FindTasks(new TaskQuery()).Items.Select(t => t.Id), ids);

        var state = await ReadAll(client, "state", Auth());
        Assert.Equal(1, state.Single().Length);
        Assert.Equal(snapshot.ClusterId, ((StringArray)state[0].Column("cluster_id")).GetString(0));

        var schema = await client.GetSchema(FlightDescriptor.CreatePathDescriptor("nodes"), Auth());
        Assert.Contains(schema.FieldsList, f => f.Name == "capabilities");
        var missing = await Assert.ThrowsAsync<RpcException>(async () => await client.GetInfo(FlightDescriptor.CreatePathDescriptor("jobs"), Auth()));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task FilteredTickets_CarryTheCmdletQueryObjects_AndReturnOnlyMatchingRows()
    {
        var client = new FlightClient(_channel);
        using var snapshot = ClusterSnapshot.Open(_state);
        static List<string> Ids(List<RecordBatch> batches) =>
            batches.SelectMany(b => Enumerable.Range(0, b.Length).Select(i => ((StringArray)b.Column("id")).GetString(i))).ToList();

        // Many rows: several chunks, in state order.
        var completed = await ReadAll(client, """{"flight": "tasks", "query": {"Status": ["COMPLETED"]}}""", Auth());
        var expectedCompleted = snapshot.FindTasks(new TaskQuery { Status = new[] { "completed" } }).Items.Select(t => t.Id).ToList();
        Assert.True(expectedCompleted.Count > 8192, "the selection spans several chunks");
        Assert.True(completed.Count >= (expectedCompleted.Count + 8191) / 8192);
        Assert.Equal(expectedCompleted, Ids(completed));

        // Several filters of the cmdlets' query object; nested struct values copied exactly.
        var batches = await ReadAll(client, """{"flight": "tasks", "query": {"Status": ["failed", "pending"], "MinGpuCores": 1}}""", Auth());
        var expected = snapshot.FindTasks(new TaskQuery { Status = new[] { "failed", "pending" }, MinGpuCores = 1 }).Items.ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Select(t => t.Id), Ids(batches));
        var gpus = batches.SelectMany(b =>
        {
            var resources = (StructArray)b.Column("resources");
            var gpu = (Int32Array)resources.Fields[((Apache.Arrow.Types.StructType)resources.Data.DataType).GetFieldIndex("gpu_cores")];
            return Enumerable.Range(0, b.Length).Select(i => gpu.GetValue(i));
        });
        Assert.Equal(expected.Select(t => t.GpuCores), gpus);
        var inputs = batches.SelectMany(b => Enumerable.Range(0, b.Length).Select(i => ((ListArray)b.Column("input_cids")).GetValueLength(i)));
        Assert.Equal(expected.Select(t => t.InputCids.Length), inputs);

        var pinned = await ReadAll(client, """{"flight": "content", "query": {"Pinned": true}}""", Auth());
        Assert.Equal(snapshot.FindContent(new ContentQuery { Pinned = true }).Count, pinned.Sum(b => b.Length));
        var none = await ReadAll(client, """{"flight": "nodes", "query": {"Id": ["no-such-node"]}}""", Auth());
        Assert.Equal(0, none.Single().Length);

        var bad = await Assert.ThrowsAsync<RpcException>(() => ReadAll(client, "{not json", Auth()));
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        var unknown = await Assert.ThrowsAsync<RpcException>(() => ReadAll(client, """{"flight": "jobs"}""", Auth()));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    private static async Task<CommitResult> Commit(FlightClient client, ChangeSet changes, Metadata headers)
    {
        using var call = client.DoAction(new FlightAction("commit", System.Text.Json.JsonSerializer.Serialize(changes)), headers);
        Assert.True(await call.ResponseStream.MoveNext(default));
        return System.Text.Json.JsonSerializer.Deserialize<CommitResult>(call.ResponseStream.Current.Body.Span)!;
    }

    [Fact]
    public async Task ConcurrentRemoteWriters_CommitThroughTheServer_AndLoseNothing()
    {
        string cid;
        int? before;
        long start;
        using (var snapshot = ClusterSnapshot.Open(_state))
        {
            var first = snapshot.FindContent(new ContentQuery()).Items.First();
            (cid, before, start) = (first.Cid, first.Replication, snapshot.Generation);
        }
        // Four clients, each on its own channel, 25 increments each.
        var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            using var channel = GrpcChannel.ForAddress(_channel.Target.StartsWith("http", StringComparison.Ordinal) ? _channel.Target : "http://" + _channel.Target);
            var client = new FlightClient(channel);
            var generations = new List<long>();
            for (int i = 0; i < 25; i++)
            {
                var change = new ChangeSet();
                change.UpdateContent.Add(new ContentUpdate { Cid = cid, ReplicationDelta = 1 });
                generations.Add((await Commit(client, change, Auth())).Generation);
            }
            return generations;
        })).ToArray();
        var all = (await Task.WhenAll(writers)).SelectMany(g => g).OrderBy(g => g).ToList();
        Assert.Equal(Enumerable.Range(1, 100).Select(i => start + i), all);
        using (var after = ClusterSnapshot.Open(_state))
            Assert.Equal((before ?? 0) + 100, after.FindContent(new ContentQuery { Cid = new[] { cid } }).Items.Single().Replication);

        // A stale ExpectedGeneration is refused, and so is invalid input; nothing is written.
        var client = new FlightClient(_channel);
        var stale = new ChangeSet { ExpectedGeneration = start };
        stale.UpdateContent.Add(new ContentUpdate { Cid = cid, ReplicationDelta = 1 });
        var conflict = await Assert.ThrowsAsync<RpcException>(() => Commit(client, stale, Auth()));
        Assert.Equal(StatusCode.FailedPrecondition, conflict.StatusCode);
        Assert.StartsWith(ErrorIds.GenerationConflict, conflict.Status.Detail);
        var duplicate = new ChangeSet();
        duplicate.AddContent.Add(new ClusterContent { Cid = cid, Size = 1 });
        var invalid = await Assert.ThrowsAsync<RpcException>(() => Commit(client, duplicate, Auth()));
        Assert.StartsWith(ErrorIds.DuplicateId, invalid.Status.Detail);
        Assert.Equal(start + 100, StateMetadata.Read(_state).Generation);
        // Writes need the token like everything else.
        var anonymous = await Assert.ThrowsAsync<RpcException>(() => Commit(client, new ChangeSet(), new Metadata()));
        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
    }

    [Fact]
    public async Task RefusesCallsWithoutTheRightToken()
    {
        var client = new FlightClient(_channel);
        var none = await Assert.ThrowsAsync<RpcException>(() => ReadAll(client, "tasks", new Metadata()));
        Assert.Equal(StatusCode.Unauthenticated, none.StatusCode);
        var wrong = await Assert.ThrowsAsync<RpcException>(async () => await client.GetSchema(FlightDescriptor.CreatePathDescriptor("tasks"), Auth("wrong")));
        Assert.Equal(StatusCode.Unauthenticated, wrong.StatusCode);
    }

    public void Dispose()
    {
        _channel.Dispose();
        _server.Dispose();
        _dir.Dispose();
    }
}
