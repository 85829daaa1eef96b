using System;

namespace ClusterState;

/// <summary>
/// The engine's one exception type: a stable <see cref="ErrorId"/> that scripts and tests can
/// rely on, a <see cref="Kind"/>, and the object the problem is about.
/// </summary>
public sealed class ClusterStateException : Exception
{
    /// <summary>Creates an exception with a stable error id.</summary>
    public ClusterStateException(string errorId, ClusterStateErrorKind kind, string message, object? target = null, Exception? inner = null)
        : base(message, inner)
    {
        ErrorId = errorId;
        Kind = kind;
        Target = target;
    }

    /// <summary>Stable identifier, e.g. <c>StateNotFound</c> or <c>SnapshotCorrupt</c>.</summary>
    public string ErrorId { get; }

    /// <summary>The kind of failure.</summary>
    public ClusterStateErrorKind Kind { get; }

    /// <summary>The path, id or value the error is about.</summary>
    public object? Target { get; }
}
