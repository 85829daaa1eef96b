using System;
using System.Collections.Generic;
using System.Linq;

namespace ClusterState;

/// <summary>
/// A deterministic, realistic cluster: one master, mostly workers, some leechers, a few
/// offline or draining nodes; tasks mostly completed, some running/assigned/pending, about
/// 1% failed; CIDv1 content ids, peer ids, capabilities, resources and version-2 timestamps.
/// Rows are produced lazily, so millions of tasks never exist as one object graph.
/// </summary>
public sealed class SampleCluster
{
    private static readonly string[] TaskTypes = { "inference", "embedding", "data_processing", "model_training", "transcode", "pin_content" };
    private static readonly int[] TaskTypeWeights = { 30, 20, 20, 10, 10, 10 };
    // Weighted (below), so in the order of the weights, not the vocabulary's.
    private static readonly string[] TaskStatuses = { Vocabularies.Completed, Vocabularies.Running, Vocabularies.Assigned, Vocabularies.Pending, Vocabularies.Failed, Vocabularies.Cancelled };
    private static readonly int[] TaskStatusWeights = { 700, 80, 40, 140, 10, 30 };
    private static readonly double[] MeanSecondsByType = { 30, 90, 600, 7200, 1200, 120 };
    private static readonly string[] GpuCapabilities = { "gpu", "cuda" };
    private static readonly int[] CpuCounts = { 4, 8, 16, 32, 64 };
    private static readonly int[] GpuCounts = { 1, 2, 4, 8 };
    private static readonly long[] MemoryGiB = { 16, 32, 64, 128, 256 };
    private static readonly long[] DiskGiB = { 512, 1024, 2048, 4096, 8192 };
    private static readonly int[] CoreChoices = { 1, 1, 2, 2, 4, 8, 16 };
    private static readonly int[] MemoryMbChoices = { 256, 512, 1024, 2048, 4096, 8192, 16384, 32768 };
    private static readonly int[] ReplicationChoices = { 1, 2, 3, 3, 3, 5 };
    private const string Base58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    private const string Base32 = "abcdefghijklmnopqrstuvwxyz234567";
    private const int ProgressEvery = 50_000;

    private readonly SampleOptions _options;
    private readonly List<ClusterNode> _nodes;
    private readonly string[] _assignable;

    /// <summary>Prepares a sample; nodes are made eagerly (they are few), tasks and content lazily.</summary>
    public SampleCluster(SampleOptions options)
    {
        if (options.NodeCount < 0 || options.TaskCount < 0 || options.ContentCount < 0)
            throw new ClusterStateException(ErrorIds.InvalidArgument, ClusterStateErrorKind.InvalidArgument,
                "Sample counts cannot be negative.", options);
        if (options.TaskCount > 0 && options.NodeCount == 0)
            throw new ClusterStateException(ErrorIds.InvalidArgument, ClusterStateErrorKind.InvalidArgument,
                "A sample with tasks needs at least one node to assign them to.", options);
        if (options.MasterId is not null && options.NodeCount == 0)
            throw new ClusterStateException(ErrorIds.InvalidArgument, ClusterStateErrorKind.InvalidArgument,
                "A sample's master is its first node: a sample without nodes cannot name one.", options);
        _options = options;
        ClusterId = options.ClusterId ?? "cluster-" + Hex(Stream(0, 0), 8);
        _nodes = MakeNodes().ToList();
        MasterId = _nodes.Count > 0 ? _nodes[0].Id : "";
        var workers = _nodes.Where(n => n.Role == Vocabularies.Worker && n.Status != Vocabularies.Offline).Select(n => n.Id).ToArray();
        _assignable = workers.Length > 0 ? workers : _nodes.Select(n => n.Id).ToArray();
    }

    /// <summary>The options the sample was made with.</summary>
    public SampleOptions Options => _options;

    /// <summary>The sample's cluster id (derived from the seed).</summary>
    public string ClusterId { get; }

    /// <summary>Id of the master node (the first node).</summary>
    public string MasterId { get; }

    /// <summary>The nodes.</summary>
    public IReadOnlyList<ClusterNode> Nodes => _nodes;

    /// <summary>The tasks, made as they are enumerated.</summary>
    public IEnumerable<ClusterTask> Tasks
    {
        get
        {
            var rng = new Random(MixSeed(2));
            for (int i = 0; i < _options.TaskCount; i++)
            {
                yield return MakeTask(i, rng);
                if ((i + 1) % ProgressEvery == 0) _options.Progress?.Invoke("tasks", i + 1, _options.TaskCount);
            }
        }
    }

    /// <summary>The content items, made as they are enumerated.</summary>
    public IEnumerable<ClusterContent> Content
    {
        get
        {
            var rng = new Random(MixSeed(3));
            for (int i = 0; i < _options.ContentCount; i++)
            {
                yield return MakeContent(i, rng);
                if ((i + 1) % ProgressEvery == 0) _options.Progress?.Invoke("content", i + 1, _options.ContentCount);
            }
        }
    }

    /// <summary>The sample as content for <see cref="StateStore.Create"/>.</summary>
    public StateContent ToStateContent() => new()
    {
        ClusterId = ClusterId,
        MasterId = MasterId,
        UpdatedAt = _options.ReferenceTime,
        Nodes = Nodes,
        Tasks = Tasks,
        Content = Content,
    };

    /// <summary>The CID of content item <paramref name="index"/>.</summary>
    public string ContentId(int index) => "bafybei" + Encode(Stream(3, index), Base32, 52);

    /// <summary>
    /// The peer id of node <paramref name="index"/> (indices past NodeCount are peers outside the
    /// state); node 0, the master, has the id the options name when they name one, everywhere
    /// the sample refers to it (the other nodes' peer lists, content providers).
    /// </summary>
    public string NodeId(int index) => index == 0 && _options.MasterId is { } master ? master : "12D3KooW" + Encode(Stream(1, index), Base58, 44);

    /// <summary>The id of task <paramref name="index"/>.</summary>
    public string TaskId(int index)
    {
        string h = Hex(Stream(2, index), 32);
        return $"task-{h[..8]}-{h[8..12]}-{h[12..16]}-{h[16..20]}-{h[20..]}";
    }

    private IEnumerable<ClusterNode> MakeNodes()
    {
        var rng = new Random(MixSeed(1));
        int n = _options.NodeCount;
        for (int i = 0; i < n; i++)
        {
            string role = i == 0 ? Vocabularies.Master : rng.NextDouble() < 0.1 ? Vocabularies.Leecher : Vocabularies.Worker;
            double s = rng.NextDouble();
            string status = i == 0 ? Vocabularies.Online : s < 0.06 ? Vocabularies.Offline : s < 0.10 ? Vocabularies.Draining : Vocabularies.Online;
            int gpus = role == Vocabularies.Worker && rng.NextDouble() < 0.2 ? Pick(rng, GpuCounts) : 0;
            long memTotal = Pick(rng, MemoryGiB) << 30;
            long diskTotal = Pick(rng, DiskGiB) << 30;
            var capabilities = role switch
            {
                Vocabularies.Master => new List<string> { "coordination", "storage", "ipfs-cluster" },
                Vocabularies.Leecher => new List<string> { "ipfs" },
                _ => new List<string> { "compute", "storage" },
            };
            if (role == Vocabularies.Worker && rng.NextDouble() < 0.3) capabilities.Add("ipfs-cluster");
            if (gpus > 0) capabilities.AddRange(GpuCapabilities);
            var peers = new List<string>();
            if (i != 0) peers.Add(NodeId(0));
            int peerCount = n > 1 ? rng.Next(2, 6) : 0;
            for (int k = 0; k < peerCount; k++)
            {
                int other = rng.Next(n);
                string id = NodeId(other);
                if (other != i && !peers.Contains(id)) peers.Add(id);
            }
            if (rng.NextDouble() < 0.02) peers.Add(NodeId(n + i)); // a peer that is not a node of this state
            yield return new ClusterNode
            {
                Id = NodeId(i),
                Role = role,
                Status = status,
                Peers = peers.ToArray(),
                Capabilities = capabilities.ToArray(),
                Resources = new NodeResources
                {
                    CpuCount = Pick(rng, CpuCounts),
                    CpuLoad = status == Vocabularies.Offline ? 0f : (float)Math.Round(rng.NextDouble() * 100, 1),
                    GpuCount = gpus,
                    GpuAvailable = gpus > 0 && rng.NextDouble() < 0.8,
                    MemoryTotal = memTotal,
                    MemoryAvailable = (long)(memTotal * (0.05 + rng.NextDouble() * 0.9)),
                    DiskTotal = diskTotal,
                    DiskAvailable = (long)(diskTotal * (0.05 + rng.NextDouble() * 0.9)),
                },
            };
        }
    }

    private ClusterTask MakeTask(int i, Random rng)
    {
        int typeIndex = Weighted(rng, TaskTypeWeights);
        string type = TaskTypes[typeIndex];
        string status = TaskStatuses[Weighted(rng, TaskStatusWeights)];
        var now = _options.ReferenceTime;
        var created = now.AddSeconds(-rng.Next(600, 30 * 86400));
        DateTime? started = null, completed = null;
        var updated = created;
        if (status is Vocabularies.Running or Vocabularies.Completed or Vocabularies.Failed)
        {
            started = status == Vocabularies.Running ? now.AddSeconds(-rng.Next(1, 3600)) : created.AddSeconds(rng.Next(1, 600));
            if (started < created) created = started.Value.AddSeconds(-rng.Next(1, 600));
            updated = started.Value;
        }
        if (status is Vocabularies.Completed or Vocabularies.Failed)
        {
            double mean = MeanSecondsByType[typeIndex];
            double seconds = Math.Max(1, mean * (0.5 + rng.NextDouble()));
            if (status == Vocabularies.Failed) seconds *= rng.NextDouble();
            completed = started!.Value.AddMilliseconds(Math.Round(seconds * 1000));
            updated = completed.Value;
        }
        if (status is Vocabularies.Assigned or Vocabularies.Cancelled) updated = created.AddSeconds(rng.Next(1, 600));
        string? assigned = status is Vocabularies.Assigned or Vocabularies.Running or Vocabularies.Completed or Vocabularies.Failed || (status == Vocabularies.Cancelled && rng.NextDouble() < 0.5)
            ? _assignable[rng.Next(_assignable.Length)]
            : null;
        bool gpuType = typeIndex is 0 or 3;
        TaskResources? resources = rng.NextDouble() < 0.01 ? null : new TaskResources
        {
            CpuCores = Pick(rng, CoreChoices),
            GpuCores = gpuType && rng.NextDouble() < 0.5 ? rng.Next(1, 5) : 0,
            MemoryMB = Pick(rng, MemoryMbChoices),
        };
        string? input = null;
        var inputs = new List<string>();
        int referencable = Math.Max(1, _options.ContentCount * 9 / 10); // the last tenth stays orphaned
        if (_options.ContentCount > 0)
        {
            input = ContentId(rng.Next(referencable));
            inputs.Add(input);
            int more = rng.Next(3);
            for (int k = 0; k < more; k++) inputs.Add(ContentId(rng.Next(referencable)));
        }
        string? output = status == Vocabularies.Completed && _options.ContentCount > 0 ? ContentId(rng.Next(referencable)) : null;
        return new ClusterTask
        {
            Id = TaskId(i),
            Type = type,
            Status = status,
            CreatedAt = created,
            UpdatedAt = updated,
            StartedAt = started,
            CompletedAt = completed,
            AssignedTo = assigned,
            Resources = resources,
            InputCid = input,
            OutputCid = output,
            InputCids = inputs.ToArray(),
            OutputCids = output is null ? Array.Empty<string>() : new[] { output },
        };
    }

    private ClusterContent MakeContent(int i, Random rng)
    {
        int providerCount = _nodes.Count == 0 ? 0 : Math.Min(_nodes.Count, rng.Next(1, 6));
        var providers = new List<string>(providerCount);
        for (int k = 0; k < providerCount; k++)
        {
            string id = _nodes[rng.Next(_nodes.Count)].Id;
            if (!providers.Contains(id)) providers.Add(id);
        }
        return new ClusterContent
        {
            Cid = ContentId(i),
            Size = (long)Math.Pow(10, 3 + rng.NextDouble() * 7),
            CreatedAt = _options.ReferenceTime.AddSeconds(-rng.Next(60, 90 * 86400)),
            Providers = providers.ToArray(),
            Pinned = rng.NextDouble() < 0.85,
            Replication = Pick(rng, ReplicationChoices),
        };
    }

    private static T Pick<T>(Random rng, T[] choices) => choices[rng.Next(choices.Length)];

    private static int Weighted(Random rng, int[] weights)
    {
        int roll = rng.Next(weights.Sum());
        for (int k = 0; k < weights.Length; k++)
        {
            if (roll < weights[k]) return k;
            roll -= weights[k];
        }
        return weights.Length - 1;
    }

    private int MixSeed(int stream) => (int)(SplitMix(((ulong)(uint)_options.Seed << 8) ^ (ulong)stream) & 0x7FFFFFFF);

    // Independent, index-addressable streams: ids can be computed for any index without
    // generating the rows before it.
    private ulong Stream(int kind, int index) => SplitMix(((ulong)(uint)_options.Seed << 32) ^ ((ulong)kind << 28) ^ (uint)index);

    private static string Encode(ulong state, string alphabet, int length)
    {
        Span<char> chars = stackalloc char[length];
        for (int k = 0; k < length; k++)
        {
            state = SplitMix(state);
            chars[k] = alphabet[(int)(state % (ulong)alphabet.Length)];
        }
        return new string(chars);
    }

    private static string Hex(ulong state, int length) => Encode(state, "0123456789abcdef", length);

    private static ulong SplitMix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
