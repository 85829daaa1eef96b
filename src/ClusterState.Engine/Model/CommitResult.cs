using System;
using System.Collections.Generic;

namespace ClusterState;

/// <summary>What a commit produced.</summary>
public sealed class CommitResult
{
    /// <summary>The generation the commit was based on.</summary>
    public long PreviousGeneration { get; set; }
    /// <summary>The new generation; equal to <see cref="PreviousGeneration"/> when the change set was empty and nothing was committed.</summary>
    public long Generation { get; set; }
    /// <summary>False when the change set was empty: no generation was made.</summary>
    public bool Changed => Generation != PreviousGeneration;
    /// <summary>The new snapshot's file name.</summary>
    public string Snapshot { get; set; } = "";
    /// <summary>When the commit happened (UTC).</summary>
    public DateTime CommittedAt { get; set; }
    /// <summary>Items added, updated and removed.</summary>
    public int Added { get; set; }
    /// <summary>Items updated.</summary>
    public int Updated { get; set; }
    /// <summary>Items removed.</summary>
    public int Removed { get; set; }
    /// <summary>How long the commit took, lock wait included.</summary>
    public TimeSpan Elapsed { get; set; }
    /// <summary>How long it waited for the writer lock.</summary>
    public TimeSpan LockWait { get; set; }
    /// <summary>
    /// Milliseconds per phase: peek (the state read before the lock), lock (until it was held, the
    /// peek included), open, plan, build, write, flush (fsync), publish (under the lock), and
    /// publish-unlocked (group commit: the flush and metadata switch after the lock, waiting for
    /// the metadata lock included). Old snapshots are deleted afterwards, in the background.
    /// </summary>
    public IReadOnlyDictionary<string, double> PhaseMilliseconds { get; set; } = new Dictionary<string, double>();

    /// <inheritdoc />
    public override string ToString() => Changed ? $"generation {Generation}: +{Added} ~{Updated} -{Removed}" : $"generation {Generation}: nothing to change";
}
