namespace ClusterState;

/// <summary>The stable error ids the engine raises.</summary>
public static class ErrorIds
{
    /// <summary>No state directory could be resolved or the given one does not exist.</summary>
    public const string StateNotFound = "StateNotFound";
    /// <summary>A state already exists where a new one was to be created.</summary>
    public const string StateAlreadyExists = "StateAlreadyExists";
    /// <summary><c>state_metadata.json</c> is missing keys, malformed or points outside its directory.</summary>
    public const string MetadataInvalid = "MetadataInvalid";
    /// <summary>The metadata points to a snapshot file that is not there.</summary>
    public const string SnapshotMissing = "SnapshotMissing";
    /// <summary>The snapshot file is not an Arrow IPC file or is truncated or damaged.</summary>
    public const string SnapshotCorrupt = "SnapshotCorrupt";
    /// <summary>
    /// A state does not fit in one snapshot file (2 GiB, the most one mapping holds): refused
    /// before anything is written, so no directory is left naming a file no reader can open.
    /// </summary>
    public const string StateTooLarge = "StateTooLarge";
    /// <summary>The snapshot is Arrow but does not carry the cluster-state schema.</summary>
    public const string SchemaMismatch = "SchemaMismatch";
    /// <summary>The snapshot was written by a future major schema version.</summary>
    public const string SchemaVersionUnsupported = "SchemaVersionUnsupported";
    /// <summary>A node id was not found.</summary>
    public const string NodeNotFound = "NodeNotFound";
    /// <summary>A task id was not found.</summary>
    public const string TaskNotFound = "TaskNotFound";
    /// <summary>A content CID was not found.</summary>
    public const string ContentNotFound = "ContentNotFound";
    /// <summary>Another writer holds the lock for longer than the caller waits.</summary>
    public const string StateLocked = "StateLocked";
    /// <summary>A file could not be written.</summary>
    public const string WriteFailed = "WriteFailed";
    /// <summary>The export target exists and replacing it was not asked for.</summary>
    public const string ExportTargetExists = "ExportTargetExists";
    /// <summary>A parameter value cannot be used.</summary>
    public const string InvalidArgument = "InvalidArgument";
    /// <summary>A pipeline carries objects of two different states into one command (nothing is done with them).</summary>
    public const string MixedStates = "MixedStates";
    /// <summary>Two parameters that exclude each other were given together (-Unassign with -AssignedTo, -Replication with -ReplicationDelta).</summary>
    public const string ConflictingParameters = "ConflictingParameters";
    /// <summary>An unexpected I/O failure (a file could not be read, access denied) outside the engine's own checks.</summary>
    public const string StateIOError = "StateIOError";
    /// <summary>The state is no longer at the generation the commit expected.</summary>
    public const string GenerationConflict = "GenerationConflict";
    /// <summary>An item with this id already exists (or appears twice in one change).</summary>
    public const string DuplicateId = "DuplicateId";
    /// <summary>A task is assigned to a node that is not in the state.</summary>
    public const string AssignedNodeNotFound = "AssignedNodeNotFound";
    /// <summary>A resource value is negative (or a load is outside 0–100).</summary>
    public const string InvalidResourceValue = "InvalidResourceValue";
    /// <summary>A status outside the vocabulary of SPEC.md §1 (use -Force to keep it).</summary>
    public const string UnknownStatus = "UnknownStatus";
    /// <summary>A role outside the vocabulary of SPEC.md §1 (use -Force to keep it).</summary>
    public const string UnknownRole = "UnknownRole";
    /// <summary>An id is missing or empty.</summary>
    public const string MissingId = "MissingId";
    /// <summary>An id a change would write breaks IdRules: too long, control or bidi characters, a lone surrogate, padding white space, or a wildcard character.</summary>
    public const string InvalidId = "InvalidId";
    /// <summary>An update names a field by its Arrow name that the entity's field table does not have.</summary>
    public const string UnknownField = "UnknownField";
    /// <summary>An update names a field that updates may not set (a key, creation data, or one a typed update property covers).</summary>
    public const string FieldNotUpdatable = "FieldNotUpdatable";
    /// <summary>A node to remove still has tasks assigned to it (Remove-ClusterNode -Force returns them to pending in the same commit).</summary>
    public const string NodeHasTasks = "NodeHasTasks";
    /// <summary>The commit succeeded, but a later step of the same command (-PassThru output, the automatic checkpoint) failed; the change must not be repeated.</summary>
    public const string FailedAfterCommit = "FailedAfterCommit";
    /// <summary>A checkpoint file does not exist.</summary>
    public const string CheckpointNotFound = "CheckpointNotFound";
    /// <summary>A checkpoint file is damaged or not a cluster-state checkpoint.</summary>
    public const string CheckpointCorrupt = "CheckpointCorrupt";
    /// <summary>A checkpoint belongs to another cluster.</summary>
    public const string CheckpointClusterMismatch = "CheckpointClusterMismatch";
    /// <summary>The file to import does not exist.</summary>
    public const string ImportFileNotFound = "ImportFileNotFound";
    /// <summary>The file to import is in a format this version cannot import.</summary>
    public const string ImportFormatUnsupported = "ImportFormatUnsupported";
    /// <summary>The file to import is damaged or not a cluster-state export.</summary>
    public const string ImportInvalid = "ImportInvalid";
    /// <summary>Wait-ClusterTask: the tasks did not reach the awaited status in time.</summary>
    public const string WaitTimeout = "WaitTimeout";
    /// <summary>Start-ClusterStateServer: the Flight server could not be started.</summary>
    public const string ServerFailed = "ServerFailed";
    /// <summary>Stop-ClusterStateServer: no server with that process id.</summary>
    public const string ServerNotFound = "ServerNotFound";
    /// <summary>A ClusterState server does not answer (not running, restarting, unreachable).</summary>
    public const string ServerUnavailable = "ServerUnavailable";
    /// <summary>A ClusterState server refused the call's credentials (no or wrong token).</summary>
    public const string ServerUnauthorized = "ServerUnauthorized";
    /// <summary>The TLS certificate of a ClusterState server is not trusted (give -ServerCertificate).</summary>
    public const string ServerCertificateRejected = "ServerCertificateRejected";
    /// <summary>A remote state address is not a grpc:// (or grpc+tls://) URI.</summary>
    public const string RemoteUriInvalid = "RemoteUriInvalid";
    /// <summary>What was asked of a remote state can only be done where the state directory is.</summary>
    public const string RemoteNotSupported = "RemoteNotSupported";
    /// <summary>A request to a ClusterState server is malformed: not the expected JSON, an unknown field, a null item, a list or string over the limits.</summary>
    public const string RequestInvalid = "RequestInvalid";
    /// <summary>A request is larger than the server accepts (Start-ClusterStateServer -MaxRequestMB).</summary>
    public const string RequestTooLarge = "RequestTooLarge";
    /// <summary>A ClusterState server holds as many long polls as it allows (per connection or in all); try again later.</summary>
    public const string ServerBusy = "ServerBusy";
    /// <summary>
    /// The cache of remote reads is not private: a folder or file of it is a symbolic link, belongs
    /// to another user or is open to other users (kind <see cref="ClusterStateErrorKind.PermissionDenied"/>).
    /// </summary>
    public const string CacheInsecure = "CacheInsecure";
}
