namespace ClusterState;

/// <summary>How a placement lookup ended.</summary>
public enum PlacementStatus
{
    /// <summary>A node was chosen.</summary>
    Placed,
    /// <summary>The task id is not in the state.</summary>
    TaskNotFound,
    /// <summary>The task is assigned, running, completed or failed.</summary>
    NotPlaceable,
    /// <summary>No online worker meets the requirements.</summary>
    NoCandidate,
}
