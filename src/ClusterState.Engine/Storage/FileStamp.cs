using System;
using System.IO;

namespace ClusterState.Storage;

/// <summary>Identity of a file's content as far as a stat can tell: length and last write time.</summary>
internal readonly record struct FileStamp(long Length, DateTime LastWriteUtc)
{
    public static FileStamp Of(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException("The snapshot file does not exist.", path);
        return new FileStamp(info.Length, info.LastWriteTimeUtc);
    }
}
