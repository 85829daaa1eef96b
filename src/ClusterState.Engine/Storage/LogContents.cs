using System;
using System.Collections.Generic;

namespace ClusterState.Storage;

/// <summary>
/// What a read of the commit log found: its schema, the records that passed their checks in
/// order, how many bytes they and the schema take, and, when reading stopped before the end of
/// the bytes given, why (a torn or damaged record). <see cref="Header"/> is the schema message,
/// kept so a later read can decode only the records appended since (CommitLog.ReadMore).
/// </summary>
internal sealed record LogContents(Apache.Arrow.Schema Schema, AppendOnlyList<CommitRecord> Records, int Length, string? Damage, ReadOnlyMemory<byte> Header);
