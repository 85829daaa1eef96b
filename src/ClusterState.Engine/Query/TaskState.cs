namespace ClusterState.Query;

/// <summary>
/// The task-status vocabulary as an enum for column scans: the members after <see cref="Other"/>
/// are <see cref="Vocabularies.TaskStatuses"/> in their order (a test holds them together).
/// </summary>
internal enum TaskState
{
    Other,
    Pending,
    Assigned,
    Running,
    Completed,
    Failed,
    Cancelled,
}
