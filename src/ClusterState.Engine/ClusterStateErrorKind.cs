namespace ClusterState;

/// <summary>What kind of problem the engine met; the cmdlet layer maps it to an ErrorCategory.</summary>
public enum ClusterStateErrorKind
{
    /// <summary>A state, snapshot, node, task or content item does not exist.</summary>
    NotFound,
    /// <summary>Bytes on disk are not what the format promises (corrupt, truncated, wrong schema).</summary>
    InvalidData,
    /// <summary>A caller passed a value that cannot be used.</summary>
    InvalidArgument,
    /// <summary>Something the engine needs is busy or unreachable (a lock, a file in use).</summary>
    ResourceUnavailable,
    /// <summary>Writing to disk failed.</summary>
    WriteError,
    /// <summary>The target already exists and the caller did not ask to replace it.</summary>
    AlreadyExists,
    /// <summary>The state changed since the caller looked (optimistic concurrency).</summary>
    Conflict,
    /// <summary>Waiting for something took longer than the caller allowed.</summary>
    Timeout,
    /// <summary>The caller is not allowed to do this (a server refused its credentials).</summary>
    PermissionDenied,
}
