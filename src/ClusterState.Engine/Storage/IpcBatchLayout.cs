namespace ClusterState.Storage;

/// <summary>
/// Where the parts of a record-batch message lie, as positions in the message
/// (<see cref="IpcLayout.TryReadBatchLayout"/>): its field nodes (16 bytes each: length, null
/// count) and buffers (16 bytes each: offset and length within the body), counts checked to fit.
/// </summary>
internal readonly record struct IpcBatchLayout(long Rows, int Nodes, int NodeCount, int Buffers, int BufferCount, int Body, int BodyLength);
