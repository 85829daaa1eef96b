using System;
using System.Text.Json.Nodes;

namespace ClusterState;

/// <summary>
/// When checkpoints are written automatically: after a commit, once <see cref="EveryCommits"/>
/// generations or <see cref="EverySeconds"/> seconds have passed since the latest checkpoint.
/// Stored in <c>state_metadata.json</c> as <c>checkpoint_policy</c>, so every process that
/// commits through the module follows it.
/// </summary>
public sealed class CheckpointPolicy
{
    /// <summary>Checkpoint once this many generations were committed since the latest checkpoint (null: no count rule).</summary>
    public int? EveryCommits { get; set; }

    /// <summary>Checkpoint once the latest checkpoint is this many seconds old (null: no time rule).</summary>
    public int? EverySeconds { get; set; }

    /// <summary>How many timestamped checkpoints to keep.</summary>
    public int Keep { get; set; } = 10;

    /// <summary>True when a checkpoint of <paramref name="generation"/> is due under this policy.</summary>
    public bool IsDue(long generation, long? checkpointGeneration, DateTime? checkpointAt, DateTime now)
    {
        if (checkpointGeneration is not long last) return true;
        if (generation <= last) return false;
        if (EveryCommits is int n && generation - last >= n) return true;
        return EverySeconds is int seconds && (checkpointAt is not DateTime at || (now - at).TotalSeconds >= seconds);
    }

    internal JsonObject ToJson()
    {
        var o = new JsonObject();
        if (EveryCommits is int n) o["every_commits"] = n;
        if (EverySeconds is int s) o["every_seconds"] = s;
        o["keep"] = Keep;
        return o;
    }

    internal static CheckpointPolicy FromJson(JsonObject o) => new()
    {
        EveryCommits = Positive(o["every_commits"]),
        EverySeconds = Positive(o["every_seconds"]),
        Keep = Positive(o["keep"]) ?? 10,
    };

    // A value another program wrote that is not a positive integer is treated as absent.
    private static int? Positive(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue(out int i) && i > 0 ? i : null;

    /// <inheritdoc />
    public override string ToString() =>
        $"every {(EveryCommits is int n ? n + " commits" : "-")} or {(EverySeconds is int s ? s + " s" : "-")}, keep {Keep}";
}
