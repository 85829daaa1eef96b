namespace ClusterState.Analysis;

/// <summary>Why a task got no node.</summary>
internal enum PlacementOutcome
{
    Placed,
    TaskNotPlaceable,
    NoCandidate,
}
