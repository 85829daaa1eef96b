using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using ClusterState.Storage;

namespace ClusterState.Benchmarks;

/// <summary>
/// The floor under every durable commit on this disk (issue 15): append as many bytes as one
/// commit record takes to a file and make them durable with fdatasync, as the commit log does,
/// with nothing else around it — no lock, no metadata, no encoding. What a commit costs above it
/// is the engine's own work; what SQLite costs above it is SQLite's. Measured in the same run,
/// right beside both, so that all three see the same disk in the same mood.
/// </summary>
public static class DataSyncFloorMeasurement
{
    private const int WarmUps = 5;

    /// <summary>Times <paramref name="appends"/> appends of <paramref name="recordBytes"/> bytes, each made durable, in a new file under the bench root.</summary>
    public static List<double> Measure(int appends, int recordBytes)
    {
        string path = Path.Combine(BenchStates.Root, "datasync-floor.tmp");
        var times = new List<double>(appends);
        var record = new byte[recordBytes];
        new Random(15).NextBytes(record);
        try
        {
            using var stream = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0);
            long offset = 0;
            for (int i = 0; i < WarmUps + appends; i++)
            {
                var clock = Stopwatch.StartNew();
                RandomAccess.Write(stream.SafeFileHandle, record, offset);
                NativeMethods.DataSync(stream.SafeFileHandle, path); // the engine's own flush of the log
                if (i >= WarmUps) times.Add(clock.Elapsed.TotalMilliseconds);
                offset += recordBytes;
            }
        }
        finally
        {
            File.Delete(path);
        }
        return times;
    }
}
