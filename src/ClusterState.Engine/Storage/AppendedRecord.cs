using System;

namespace ClusterState.Storage;

/// <summary>
/// A commit record appended to the log under the writer lock whose publication (durable flush
/// and metadata switch) is still to come, after the lock is released (group commit,
/// <see cref="LogPublisher"/>).
/// </summary>
/// <param name="Directory">The state directory.</param>
/// <param name="LogName">The log file the record went to.</param>
/// <param name="Offset">Where the record starts in it.</param>
/// <param name="Bytes">The record's bytes, as written (compared with the file before publishing).</param>
/// <param name="Generation">The generation the record makes.</param>
/// <param name="CommittedAt">Its commit time (the metadata's <c>updated_at</c> once published).</param>
/// <param name="Durable">Whether it is flushed to disk before it is published.</param>
/// <param name="LogHeader">The log's schema message, which decoding records appended after this one needs first.</param>
internal sealed record AppendedRecord(string Directory, string LogName, long Offset, byte[] Bytes, long Generation, DateTime CommittedAt, bool Durable, ReadOnlyMemory<byte> LogHeader)
{
    /// <summary>Where the record ends in the log.</summary>
    public long End => Offset + Bytes.Length;
}
