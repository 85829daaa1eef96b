namespace ClusterState;

/// <summary>The outcome of <see cref="ClusterAnalysis.FindNodeForTask"/>.</summary>
/// <param name="TaskId">The task asked about.</param>
/// <param name="Status">How the lookup ended.</param>
/// <param name="TaskStatus">The task's status, when it was found.</param>
/// <param name="Node">The chosen node, when one was.</param>
public sealed record PlacementResult(string TaskId, PlacementStatus Status, string? TaskStatus, NodeForTask? Node);
