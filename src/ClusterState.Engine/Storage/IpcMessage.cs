namespace ClusterState.Storage;

/// <summary>
/// The framing of one encapsulated Arrow IPC message, as <see cref="IpcLayout.TryReadMessage"/>
/// read it: its whole length, where its body starts, its header type, the rows of a record batch,
/// and the place of the batch's last buffer within the body (-1 without buffers).
/// </summary>
internal readonly record struct IpcMessage(int Length, int BodyStart, byte HeaderType, long Rows, long LastBufferOffset, long LastBufferLength);
