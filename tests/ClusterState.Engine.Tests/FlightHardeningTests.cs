using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Apache.Arrow;
using Apache.Arrow.Flight;
using Apache.Arrow.Flight.Client;
using Grpc.Core;
using Xunit;

namespace ClusterState.Engine.Tests;

/// <summary>One server on a 20,000-task state for the hardening tests (issue 13).</summary>
public sealed class HardeningServer : IDisposable
{
    private readonly TempDirectory _dir = new();

    public HardeningServer()
    {
        State = _dir.Combine("s");
        StateStore.Create(State, TestStates.Sample(nodes: 20, tasks: 20_000, content: 2_000, seed: 13).ToStateContent());
        Server = new ServerProcess(State);
    }

    public string State { get; }

    internal ServerProcess Server { get; }

    public void Dispose()
    {
        Server.Dispose();
        _dir.Dispose();
    }
}

/// <summary>What a hostile or careless Flight client can send, against a real server process.</summary>
[Collection("Processes")]
public sealed class FlightHardeningTests(HardeningServer fixture) : IClassFixture<HardeningServer>
{
    private ServerProcess Server => fixture.Server;

    private static async Task<List<RecordBatch>> ReadAll(FlightClient client, string ticket)
    {
        var batches = new List<RecordBatch>();
        using var call = client.GetStream(new FlightTicket(ticket), ServerProcess.Auth());
        while (await call.ResponseStream.MoveNext(default)) batches.Add(call.ResponseStream.Current);
        return batches;
    }

    private static async Task<List<byte[]>> Action(FlightClient client, string type, string? body)
    {
        using var call = client.DoAction(body is null ? new FlightAction(type) : new FlightAction(type, body), ServerProcess.Auth());
        var results = new List<byte[]>();
        while (await call.ResponseStream.MoveNext(default)) results.Add(call.ResponseStream.Current.Body.ToByteArray());
        return results;
    }

    [Fact]
    public async Task Changes_are_bounded_by_the_state_not_by_the_request()
    {
        long generation = StateMetadata.Read(fixture.State).Generation;
        var clock = Stopwatch.StartNew();
        // A change too large for one message comes in parts of the same generation (ChangeParts).
        static long GenerationOf(byte[] result) => (long)JsonNode.Parse(result)!["Change"]!["Generation"]!;
        var all = await Action(Server.Client, "changes", $$"""{"after": 0, "upTo": {{long.MaxValue}}}""");
        Assert.Equal(Math.Min(generation, RequestLimits.MaxChanges), all.Select(GenerationOf).Distinct().Count());
        var far = await Action(Server.Client, "changes", """{"after": 0, "upTo": 5000000}""");
        Assert.Equal(all.Count, far.Count);
        Assert.Equal(generation, GenerationOf(far[^1]));
        Assert.Empty(await Action(Server.Client, "changes", $$"""{"after": {{long.MaxValue}}, "upTo": {{long.MinValue}}}"""));
        var negative = await Assert.ThrowsAsync<RpcException>(() => Action(Server.Client, "changes", """{"after": -5}"""));
        Assert.Equal(StatusCode.InvalidArgument, negative.StatusCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "a bounded answer, not millions of results");
        Assert.True(Server.ResidentBytes < 1L << 30, $"the server stays small ({Server.ResidentBytes >> 20} MiB)");
    }

    [Fact]
    public async Task Chunks_fit_the_default_4_MiB_receive_limit_of_gRPC_clients()
    {
        using var channel = Server.NewChannel(); // default limits, as any client has
        var client = new FlightClient(channel);
        using var snapshot = ClusterSnapshot.Open(fixture.State);
        var tasks = await ReadAll(client, "tasks");
        Assert.Equal(snapshot.TaskCount, tasks.Sum(b => b.Length));
        Assert.True(tasks.Count > 1, "20,000 tasks are more than one chunk");
        var ids = tasks.SelectMany(b => Enumerable.Range(0, b.Length).Select(i => ((StringArray)b.Column("id")).GetString(i)));
        Assert.Equal(snapshot.FindTasks(new TaskQuery()).Items.Select(t => t.Id), ids);
        var filtered = await ReadAll(client, """{"flight": "tasks", "query": {"Status": ["completed", "failed", "pending"]}}""");
        Assert.Equal(snapshot.FindTasks(new TaskQuery { Status = new[] { "completed", "failed", "pending" } }).Count, filtered.Sum(b => b.Length));
    }

    [Theory]
    [InlineData("""{"flight": "tasks", "query": {"Stauts": ["pending"]}}""", "Stauts")]
    [InlineData("""{"flight": "tasks", "qurey": {"Status": ["pending"]}}""", "qurey")]
    [InlineData("""{"flight": 5}""", "flight")]
    [InlineData("""{"flight": "tasks", "query": {"Id": [null]}}""", "Id[0]")]
    [InlineData("""{"flight": "tasks", "query": {"Status": "pending"}}""", "Status")]
    [InlineData("""{"flight": "tasks", "query": {"MinCpuCores": 1e40}}""", "MinCpuCores")]
    [InlineData("""{"flight": "state", "query": {}}""", "query")]
    [InlineData("""{"flight": "nodes", "header": true}""", "header")]
    [InlineData("""[1, 2]""", "TicketRequest")]
    public async Task Malformed_tickets_are_refused_naming_what_is_wrong(string ticket, string named)
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => ReadAll(Server.Client, ticket));
        Assert.Equal(StatusCode.InvalidArgument, e.StatusCode);
        Assert.StartsWith(ErrorIds.RequestInvalid, e.Status.Detail);
        Assert.Contains(named, e.Status.Detail);
        Assert.Equal(ErrorIds.RequestInvalid, e.Trailers.GetValue(RemoteWire.ErrorIdTrailer));
    }

    [Theory]
    [InlineData("commit", null, "needs a JSON ChangeSet")]
    [InlineData("commit", "null", "is null")]
    [InlineData("commit", """{"AddTasks": [null]}""", "AddTasks[0]")]
    [InlineData("commit", """{"AddTasks": null}""", "AddTasks")]
    [InlineData("commit", """{"RemoveTasks": ["a", null]}""", "RemoveTasks[1]")]
    [InlineData("commit", """{"UpdateTasks": [{"Id": "x", "Stauts": "failed"}]}""", "Stauts")]
    [InlineData("commit", """{"Addtask": []}""", "Addtask")]
    [InlineData("wait", """{"after": 1, "timeout": 5}""", "timeout")]
    [InlineData("checkpoint", """{"keep": 0}""", "keep")]
    [InlineData("checkpoint", """{"keep": 99999999}""", "keep")]
    [InlineData("restore", "{}", "checkpoint")]
    [InlineData("metadata", "{}", "takes no body")]
    [InlineData("checkpoint-policy", """{"policy": {"EveryCommits": -1}}""", "EveryCommits")]
    public async Task Malformed_action_bodies_are_refused_and_change_nothing(string action, string? body, string named)
    {
        long before = StateMetadata.Read(fixture.State).Generation;
        var e = await Assert.ThrowsAsync<RpcException>(() => Action(Server.Client, action, body));
        Assert.True(e.StatusCode is StatusCode.InvalidArgument or StatusCode.NotFound, $"{e.StatusCode}: {e.Status.Detail}");
        Assert.Contains(named, e.Status.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", e.Status.Detail);
        Assert.Equal(before, StateMetadata.Read(fixture.State).Generation);
    }

    [Fact]
    public async Task Large_change_sets_commit_remotely_and_too_large_ones_are_refused_whole()
    {
        var remote = RemoteState.Connect(Server.Uri, new RemoteOptions { Token = ServerProcess.Token });
        long before = StateMetadata.Read(fixture.State).Generation;
        var changes = new ChangeSet();
        for (int i = 0; i < 20_000; i++)
            changes.AddTasks.Add(new ClusterTask { Id = $"bulk-{i:D5}", Type = "inference", Status = "pending", InputCids = new[] { "bafybeigdyrztbulkinput" + i } });
        Assert.True(JsonSerializer.SerializeToUtf8Bytes(changes).Length > 4 << 20, "over gRPC's default 4 MB");
        var result = remote.Commit(changes);
        Assert.Equal(20_000, result.Added);
        Assert.Equal(before + 1, result.Generation);
        using (var local = ClusterSnapshot.Open(fixture.State))
        using (var copy = remote.Open())
            Assert.Equal(local.FindTasks(new TaskQuery()).Items.Select(t => (t.Id, t.InputCids.Length)), copy.FindTasks(new TaskQuery()).Items.Select(t => (t.Id, t.InputCids.Length)));

        // Past the server's limit (64 MiB by default): one clear error, nothing written.
        var huge = new ChangeSet();
        string padding = new('x', 60_000);
        for (int i = 0; i < 1_200; i++) huge.RemoveTasks.Add(padding + i);
        var e = Assert.Throws<ClusterStateException>(() => remote.Commit(huge));
        Assert.True(e.ErrorId == ErrorIds.RequestTooLarge, $"{e.ErrorId}: {e.Message}");
        Assert.Contains("nothing was changed", e.Message);
        Assert.Equal(before + 1, StateMetadata.Read(fixture.State).Generation);
    }

    [Fact]
    public async Task Long_polls_hold_no_threads_and_are_bounded_per_connection()
    {
        long generation = StateMetadata.Read(fixture.State).Generation;
        string body = $$"""{"after": {{generation}}, "timeoutMs": 8000}""";
        // 150 polls over ten connections (15 each, under the bound of 16 per connection).
        var channels = Enumerable.Range(0, 10).Select(_ => Server.NewChannel()).ToList();
        try
        {
            var polls = channels.SelectMany(c => Enumerable.Range(0, 15).Select(_ => Action(new FlightClient(c), "wait", body))).ToList();
            await Task.Delay(500);
            Assert.DoesNotContain(polls, p => p.IsCompleted);
            // Another client is answered at once meanwhile.
            var clock = Stopwatch.StartNew();
            Assert.Single(await Action(Server.Client, "describe", null));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"describe took {clock.Elapsed.TotalSeconds:0.0} s while 150 polls were open");
            // The 16th and 17th poll of one connection: one more fits, the next is refused at once.
            var sixteenth = Action(new FlightClient(channels[0]), "wait", body);
            await Task.Delay(300); // the 16th is held before the 17th is sent
            var refused = await Assert.ThrowsAsync<RpcException>(() => Action(new FlightClient(channels[0]), "wait", body));
            Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
            Assert.StartsWith(ErrorIds.ServerBusy, refused.Status.Detail);
            // A commit answers every poll.
            using (var snapshot = ClusterSnapshot.Open(fixture.State))
            {
                var task = snapshot.FindTasks(new TaskQuery()).Items.First();
                StateStore.Commit(fixture.State, new ChangeSet { UpdateTasks = { new TaskUpdate { Id = task.Id, CpuCores = 3 } } });
            }
            var answers = await Task.WhenAll(polls.Append(sixteenth));
            Assert.All(answers, a => Assert.Equal(generation + 1, (long)JsonNode.Parse(Assert.Single(a))!["generation"]!));
        }
        finally
        {
            foreach (var channel in channels) channel.Dispose();
        }
    }

    [Fact]
    public void A_server_started_for_a_session_stops_when_that_process_ends()
    {
        using var parent = Process.Start(new ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        using var server = new ServerProcess(fixture.State, "--parent-pid", parent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.False(server.Process.HasExited);
        parent.Kill();
        Assert.True(server.Process.WaitForExit(15_000), "the server stopped after its parent");
    }

    /// <summary>
    /// Random and mutated JSON tickets and action bodies (oversized fields among them): never
    /// UNKNOWN, never a stack trace in an answer or the log, the server's memory stays under
    /// 1 GiB, and afterwards the server answers exactly as the directory does. The count comes
    /// from CLUSTERSTATE_FLIGHT_FUZZ_ROUNDS (CI 300; build.ps1 Fuzz runs 5,000).
    /// </summary>
    [Fact]
    public async Task Fuzzed_requests_get_clean_answers_and_leave_the_server_consistent()
    {
        int rounds = int.TryParse(Environment.GetEnvironmentVariable("CLUSTERSTATE_FLIGHT_FUZZ_ROUNDS"), out int r) ? r : 300;
        var rng = new Random(1313);
        string someId;
        using (var snapshot = ClusterSnapshot.Open(fixture.State)) someId = snapshot.FindTasks(new TaskQuery()).Items.First().Id;
        var seeds = new[]
        {
            ("ticket", """{"flight": "tasks", "query": {"Status": ["failed"], "MinGpuCores": 1}, "withIds": true}"""),
            ("ticket", """{"flight": "content", "query": {"Cid": ["bafy*"], "Pinned": true}}"""),
            ("ticket", """{"flight": "nodes", "query": {"Role": ["worker"], "GpuAvailable": false}}"""),
            ("ticket", """{"flight": "state", "header": true}"""),
            ("commit", $$"""{"UpdateTasks": [{"Id": "{{someId}}", "CpuCores": 2}], "ExpectedGeneration": 1}"""),
            ("commit", """{"AddNodes": [{"Id": "fuzz-node", "Role": "worker", "Status": "online"}]}"""),
            ("changes", """{"after": 1, "upTo": 3}"""),
            ("wait", """{"after": 999999, "timeoutMs": 1}"""),
            ("checkpoint-policy", """{"policy": null}"""),
            ("restore", """{"checkpoint": "../../etc/passwd"}"""),
        };
        long peak = 0;
        for (int round = 0; round < rounds; round++)
        {
            var (kind, seed) = seeds[rng.Next(seeds.Length)];
            string text = Mutate(seed, rng);
            try
            {
                if (kind == "ticket") await ReadAll(Server.Client, text);
                else await Action(Server.Client, kind, text);
            }
            catch (RpcException e)
            {
                Assert.True(e.StatusCode is not (StatusCode.Unknown or StatusCode.Internal), $"{kind} {Shorten(text)}: {e.StatusCode} {e.Status.Detail}");
                Assert.DoesNotContain("   at ", e.Status.Detail);
                Assert.True(e.Status.Detail.Length < 4096, "answers are short");
            }
            if (round % 25 == 0) peak = Math.Max(peak, Server.ResidentBytes);
        }
        peak = Math.Max(peak, Server.ResidentBytes);
        Assert.True(peak < 1L << 30, $"resident memory peaked at {peak >> 20} MiB");
        Assert.DoesNotContain("   at ", Server.Log);

        // The server still answers, and exactly as the state directory does.
        var remote = RemoteState.Connect(Server.Uri, new RemoteOptions { Token = ServerProcess.Token });
        using var local = ClusterSnapshot.Open(fixture.State);
        using var copy = remote.Open();
        Assert.Equal(local.Generation, copy.Generation);
        Assert.Equal(local.FindTasks(new TaskQuery()).Items.Select(t => (t.Id, t.Status, t.CpuCores)), copy.FindTasks(new TaskQuery()).Items.Select(t => (t.Id, t.Status, t.CpuCores)));
        Assert.Equal(local.FindNodes(new NodeQuery()).Items.Select(n => n.Id), copy.FindNodes(new NodeQuery()).Items.Select(n => n.Id));
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";

    /// <summary>A JSON text with one to three mutations: bytes flipped, cut, fields renamed or retyped, values made huge, nested deep.</summary>
    private static string Mutate(string seed, Random rng)
    {
        var text = seed;
        int mutations = rng.Next(1, 4);
        for (int m = 0; m < mutations; m++)
        {
            switch (rng.Next(10))
            {
                case 0: // a random character changed
                    var chars = text.ToCharArray();
                    chars[rng.Next(chars.Length)] = (char)rng.Next(32, 127);
                    text = new string(chars);
                    break;
                case 1: // cut short
                    text = text[..rng.Next(text.Length)];
                    break;
                case 2: // an oversized string value
                    text = text.Replace("\"failed\"", "\"" + new string('f', rng.Next(1, 200_000)) + "\"", StringComparison.Ordinal);
                    break;
                case 3: // a huge or negative number
                    text = System.Text.RegularExpressions.Regex.Replace(text, @"\b\d+\b", _ => rng.Next(3) switch { 0 => long.MaxValue.ToString(System.Globalization.CultureInfo.InvariantCulture), 1 => "-1", _ => "1e308" });
                    break;
                case 4: // a field renamed
                    text = text.Replace("\"Status\"", "\"Stat\"", StringComparison.Ordinal).Replace("\"after\"", "\"aftr\"", StringComparison.Ordinal);
                    break;
                case 5: // a value retyped
                    text = text.Replace("[", "{\"x\":[", StringComparison.Ordinal).Replace("]", "]}", StringComparison.Ordinal);
                    break;
                case 6: // nested deep
                    text = new string('[', 5000) + new string(']', 5000);
                    break;
                case 7: // nulls
                    text = text.Replace("\"worker\"", "null", StringComparison.Ordinal).Replace("\"failed\"", "null", StringComparison.Ordinal);
                    break;
                case 8: // a long list of ids
                    text = "{\"flight\": \"tasks\", \"query\": {\"Id\": [" + string.Join(",", Enumerable.Range(0, rng.Next(1, 50_000)).Select(i => "\"t" + i + "\"")) + "]}}";
                    break;
                default: // random bytes
                    var bytes = new byte[rng.Next(1, 300)];
                    rng.NextBytes(bytes);
                    text = Encoding.Latin1.GetString(bytes);
                    break;
            }
        }
        return text;
    }
}
