using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using ClusterState.Storage;

namespace ClusterState;

/// <summary>
/// The private on-disk cache of one server's generations, used by <see cref="RemoteState"/>: one
/// Arrow IPC file per cached generation in <c>&lt;root&gt;/remote/&lt;hash of the server URI&gt;</c>,
/// where the root is <c>$CLUSTERSTATE_CACHE_PATH</c>, else <c>$XDG_CACHE_HOME/clusterstate</c>
/// (XDG_CACHE_HOME only when absolute), else <c>~/.cache/clusterstate</c>
/// (<c>~/Library/Caches/clusterstate</c> on macOS, <c>%LOCALAPPDATA%\ClusterState\Cache</c> on Windows).
/// <para>
/// Every folder from the root down is created 0700 and, before each use, must be a real
/// directory (not a symbolic link) owned by this process's effective user with no group or other
/// permission bits; files are created 0600 and checked the same way before they are mapped.
/// Anything else is refused with <see cref="ErrorIds.CacheInsecure"/>, never used. The folder
/// above the root (<c>~/.cache</c>) may be 0755 but must be the user's (or root's) and not
/// writable by others unless sticky.
/// </para>
/// <para>
/// A cached file's name carries the SHA-256 of its bytes, computed while it is written. Before a
/// cached file is mapped the digest is checked once per process per file identity (device, inode,
/// size, modification time), so an unchanged generation is reopened for a stat; after mapping,
/// its generation and cluster id must be the server's. A file failing either check is deleted and
/// the generation fetched again — never answered from.
/// </para>
/// <para>
/// The checks and the mapping go by path: between them only the owner of the private folder (or
/// root) could swap a file, and a file changed in place after it was mapped is seen by the
/// mapping. What they keep out is every other user; the digest and generation checks catch damage
/// and mix-ups.
/// </para>
/// </summary>
internal sealed class RemoteCache
{
    /// <summary>Environment variable naming the cache root instead of the platform's cache folder (checked the same way).</summary>
    public const string PathVariable = "CLUSTERSTATE_CACHE_PATH";

    private const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FileMode600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const string Extension = ".arrow";

    /// <summary>Files whose digest this process has checked, by path and identity.</summary>
    private static readonly ConcurrentDictionary<(string Path, NativeMethods.FileOwnerInfo Info), byte> Verified = new();

    private readonly string _location;
    private readonly string _name;

    /// <summary>The cache of the server at <paramref name="location"/> (its scheme and authority).</summary>
    public RemoteCache(string location)
    {
        _location = location;
        _name = Hash(location);
    }

    /// <summary>The cache root: the folder this module owns (see the class remarks).</summary>
    public static string Root()
    {
        string? overridden = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrEmpty(overridden)) return Path.TrimEndingDirectorySeparator(Path.GetFullPath(overridden));
        if (OperatingSystem.IsWindows())
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "ClusterState", "Cache");
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (!string.IsNullOrEmpty(xdg) && Path.IsPathFullyQualified(xdg)) return Path.Combine(Path.TrimEndingDirectorySeparator(xdg), "clusterstate");
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile, Environment.SpecialFolderOption.DoNotVerify);
        if (string.IsNullOrEmpty(home) || !Path.IsPathFullyQualified(home))
            throw new ClusterStateException(ErrorIds.CacheInsecure, ClusterStateErrorKind.PermissionDenied,
                $"There is no home folder to keep the cache of remote reads in; set XDG_CACHE_HOME or {PathVariable} to a folder of your own.");
        return Path.Combine(home, OperatingSystem.IsMacOS() ? "Library/Caches" : ".cache", "clusterstate");
    }

    /// <summary>The folder of this server's cached files.</summary>
    public string FolderPath => Path.Combine(Root(), "remote", _name);

    /// <summary>The name all cached files of a generation start with (the digest and <c>.arrow</c> follow).</summary>
    public static string BaseName(StateMetadata metadata)
    {
        string cluster = new(metadata.ClusterId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').Take(64).ToArray());
        // Generation alone is not enough: a server restarted on another directory may reuse numbers.
        string stamp = Hash(metadata.ClusterId + "\n" + metadata.Snapshot + "\n" + metadata.UpdatedAt.Ticks);
        return $"{cluster}_{metadata.Generation:D10}_{stamp}";
    }

    /// <summary>
    /// The cached copy of a generation, mapped and verified; null when there is none (or it failed
    /// verification and was deleted). Throws <see cref="ErrorIds.CacheInsecure"/> when the cache
    /// folder or file is not private.
    /// </summary>
    public ClusterSnapshot? Open(StateMetadata metadata)
    {
        if (Folder(create: false) is not { } folder) return null;
        string name = BaseName(metadata);
        foreach (string file in Directory.EnumerateFiles(folder, name + ".*" + Extension))
        {
            if (TryOpen(file, name, metadata) is { } snapshot) return snapshot;
        }
        return null;
    }

    private ClusterSnapshot? TryOpen(string file, string name, StateMetadata metadata)
    {
        if (Stat(file) is not { } info) return null; // replaced meanwhile
        CheckPrivate(file, info, directory: false);
        string digest = Path.GetFileName(file)[(name.Length + 1)..^Extension.Length];
        if (!Verified.ContainsKey((file, info)))
        {
            bool intact = digest.Length == 64 && string.Equals(Digest(file), digest, StringComparison.Ordinal);
            // A file replaced while it was hashed is checked again on the next read.
            if (!intact || Stat(file) != info)
            {
                Discard(file);
                return null;
            }
            Remember(file, info);
        }
        ClusterSnapshot snapshot;
        try
        {
            snapshot = ClusterSnapshot.OpenMirror(_location, file, metadata);
        }
        catch (FileNotFoundException)
        {
            return null; // deleted meanwhile
        }
        catch (ClusterStateException e) when (e.ErrorId is ErrorIds.SnapshotCorrupt or ErrorIds.SnapshotMissing)
        {
            // Damaged: fetched again. (A state this module cannot read, e.g. a newer schema, is
            // reported as it is: fetching it again would not help.)
            Discard(file);
            return null;
        }
        if (RemoteWire.GenerationOf(snapshot.Schema) == metadata.Generation && string.Equals(snapshot.ClusterId, metadata.ClusterId, StringComparison.Ordinal))
            return snapshot;
        // Intact bytes, but not the generation the server has now: another state's snapshot under this name.
        snapshot.Dispose();
        Discard(file);
        return null;
    }

    /// <summary>
    /// Writes a generation's assembled batch as its cached file (0600, named with its digest),
    /// then deletes the older generations' files (open mappings of them stay valid).
    /// </summary>
    /// <remarks>
    /// Temporary name and rename, as <see cref="AtomicFile"/> does, but not through it: the final
    /// name holds the digest of the bytes, known only once they are written; the file is created
    /// 0600 from its first byte; the rename never replaces a file (another process of this user
    /// that cached the same bytes first wins); and a cache that cannot be written is an I/O
    /// failure of reading, not a <c>WriteFailed</c> of the state.
    /// </remarks>
    public void Store(RecordBatch batch, StateMetadata metadata)
    {
        string folder = Folder(create: true)!;
        string name = BaseName(metadata);
        string temp = Path.Combine(folder, $"{name}.tmp-{Guid.NewGuid():N}");
        string file;
        try
        {
            string digest = Write(batch, temp);
            file = Path.Combine(folder, name + "." + digest + Extension);
            var written = Stat(temp);
            try
            {
                File.Move(temp, file, overwrite: false);
                // We wrote and hashed these very bytes: remember the file (a rename changes its ctime, not its inode).
                if (written is { } w && Stat(file) is { } moved && moved with { CTimeSeconds = w.CTimeSeconds, CTimeNanoseconds = w.CTimeNanoseconds } == w)
                    Remember(file, moved);
            }
            catch (IOException) when (File.Exists(file))
            {
                // Another process of this user cached the same bytes first.
            }
        }
        finally
        {
            TryDelete(temp);
        }
        foreach (var old in Directory.EnumerateFiles(folder, "*" + Extension).Where(f => f != file)) Discard(old);
    }

    /// <summary>
    /// Writes the rows a server returned for one query as a 0600 file of the cache folder, maps it
    /// as a partial snapshot and deletes the file (the mapping stays valid where the system allows
    /// deleting mapped files).
    /// </summary>
    public ClusterSnapshot OpenPartial(RecordBatch batch, StateMetadata metadata)
    {
        string partial = Path.Combine(Folder(create: true)!, $"query-{Guid.NewGuid():N}.partial");
        try
        {
            Write(batch, partial);
            CheckPrivate(partial, Stat(partial) ?? throw new FileNotFoundException("The query file vanished.", partial), directory: false);
            return ClusterSnapshot.OpenPartial(_location, partial, metadata);
        }
        finally
        {
            TryDelete(partial);
        }
    }

    /// <summary>
    /// The server's folder, each folder from the root down checked (and created 0700 when
    /// <paramref name="create"/>); null when it does not exist and is not to be created.
    /// </summary>
    private string? Folder(bool create)
    {
        string root = Root();
        string remote = Path.Combine(root, "remote");
        string folder = Path.Combine(remote, _name);
        string? parent = Path.GetDirectoryName(root);
        if (parent is not null)
        {
            var above = Stat(parent, followLinks: true);
            if (above is null)
            {
                if (!create) return null;
                CreateFolder(parent);
                above = Stat(parent, followLinks: true);
            }
            CheckParent(parent, above ?? throw Missing(parent));
        }
        bool created = false;
        foreach (string dir in new[] { root, remote, folder })
        {
            var info = Stat(dir);
            if (info is null)
            {
                if (!create) return null;
                CreateFolder(dir);
                created = true;
                info = Stat(dir);
            }
            CheckPrivate(dir, info ?? throw Missing(dir), directory: true);
        }
        if (created) SweepStale(remote);
        return folder;
    }

    private static void CreateFolder(string dir)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(dir);
        else Directory.CreateDirectory(dir, FolderMode); // an existing one is left as it is, and checked
    }

    /// <summary>Copies of servers not read for a day (other ports, other machines) are dropped: only real folders of this user inside the checked root.</summary>
    private void SweepStale(string remote)
    {
        foreach (string dir in Directory.EnumerateDirectories(remote))
        {
            if (Path.GetFileName(dir) == _name || Stat(dir) is not { } info || !IsPrivate(info, directory: true)) continue;
            try
            {
                if (Directory.GetLastWriteTimeUtc(dir) < DateTime.UtcNow.AddDays(-1)) Directory.Delete(dir, recursive: true);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>Writes one batch as an Arrow IPC file created 0600 (never through an existing name or link) and returns the SHA-256 of its bytes.</summary>
    private static string Write(RecordBatch batch, string file)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 1 << 20 };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = FileMode600;
        using var stream = new FileStream(file, options);
        using var hashing = new HashingStream(stream);
        using (var writer = new ArrowFileWriter(hashing, batch.Schema, leaveOpen: true))
        {
            writer.WriteRecordBatch(batch);
            writer.WriteEnd();
        }
        return hashing.Digest();
    }

    /// <summary>How many cached files this process has read to check their digest (tests).</summary>
    internal static long DigestsChecked => System.Threading.Interlocked.Read(ref s_digestsChecked);

    private static long s_digestsChecked;

    /// <summary>The SHA-256 of a file's bytes, lowercase hex.</summary>
    private static string Digest(string file)
    {
        System.Threading.Interlocked.Increment(ref s_digestsChecked);
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 0);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[1 << 20];
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0) hash.AppendData(buffer, 0, read);
        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }

    /// <summary>Forgets which files this process has verified (tests: behave like a new process).</summary>
    internal static void ForgetVerified() => Verified.Clear();

    private static void Remember(string file, NativeMethods.FileOwnerInfo info)
    {
        // One verified file per folder is what a reader needs; forget the others (deleted generations).
        string? folder = Path.GetDirectoryName(file);
        foreach (var key in Verified.Keys.Where(k => k.Path != file && Path.GetDirectoryName(k.Path) == folder)) Verified.TryRemove(key, out _);
        Verified[(file, info)] = 0;
    }

    private static void Discard(string file)
    {
        foreach (var key in Verified.Keys.Where(k => k.Path == file)) Verified.TryRemove(key, out _);
        TryDelete(file);
    }

    private static void TryDelete(string file)
    {
        try { File.Delete(file); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>
    /// lstat (or stat, <paramref name="followLinks"/>) of a path; null when it does not exist. On
    /// Windows there is no owner or mode to check: the ACL of %LOCALAPPDATA% grants the user alone,
    /// so only the type is reported (a reparse point as a link), as the user's, private. On Unix
    /// without statx (macOS) the type and mode come from .NET and the owner cannot be read.
    /// </summary>
    private static NativeMethods.FileOwnerInfo? Stat(string path, bool followLinks = false)
    {
        if (NativeMethods.CanReadOwner) return NativeMethods.TryStat(path, followLinks);
        FileSystemInfo entry = Directory.Exists(path) ? new DirectoryInfo(path) : new FileInfo(path);
        if (!entry.Exists && entry.LinkTarget is null) return null;
        bool link = !followLinks && (entry.Attributes & FileAttributes.ReparsePoint) != 0;
        uint type = link ? 0xA000u : entry is DirectoryInfo ? 0x4000u : 0x8000u;
        uint mode = OperatingSystem.IsWindows() ? (entry is DirectoryInfo ? 0x1C0u : 0x180u) : (uint)entry.UnixFileMode;
        return new NativeMethods.FileOwnerInfo(CurrentUser, type | mode, 0, 0, entry is FileInfo f && f.Exists ? f.Length : 0,
            entry.LastWriteTimeUtc.Ticks, 0);
    }

    private static uint CurrentUser => OperatingSystem.IsWindows() ? 0 : NativeMethods.CanReadOwner ? NativeMethods.EffectiveUserId() : 0;

    private static bool IsPrivate(NativeMethods.FileOwnerInfo info, bool directory) =>
        (directory ? info.IsDirectory : info.IsRegularFile) && info.Uid == CurrentUser && (info.Permissions & 0x3F) == 0; // no group/other bits (077)

    private static void CheckPrivate(string path, NativeMethods.FileOwnerInfo info, bool directory)
    {
        if (IsPrivate(info, directory)) return;
        string kind = directory ? "folder" : "file";
        string what = info.Type == 0xA000 ? "is a symbolic link"
            : directory && !info.IsDirectory ? "is not a directory"
            : !directory && !info.IsRegularFile ? "is not a regular file"
            : info.Uid != CurrentUser ? "belongs to another user"
            : "is open to other users";
        throw Insecure(path, $"The remote-read cache {kind} '{path}' {what} (owner uid {info.Uid}, mode {Octal(info)}; this process runs as uid {CurrentUser}). "
            + $"ClusterState keeps cached states only in a {kind} of your own with mode {(directory ? "0700" : "0600")}; "
            + $"remove '{path}' (it is recreated privately) or set {PathVariable} to a folder of your own.");
    }

    private static void CheckParent(string path, NativeMethods.FileOwnerInfo info)
    {
        // The folder above the root (~/.cache) may be the usual 0755, but must be the user's (or
        // root's), and not writable by others unless sticky (/tmp): else our root could be swapped.
        bool ownerOk = info.Uid == CurrentUser || info.Uid == 0;
        bool writableByOthers = (info.Permissions & 0x12) != 0; // 022
        bool sticky = (info.Permissions & 0x200) != 0; // 01000
        if (info.IsDirectory && ownerOk && (!writableByOthers || sticky)) return;
        string what = !info.IsDirectory ? "is not a directory"
            : !ownerOk ? "belongs to another user"
            : "is writable by other users";
        throw Insecure(path, $"The folder '{path}' that holds the remote-read cache {what} (owner uid {info.Uid}, mode {Octal(info)}; this process runs as uid {CurrentUser}). "
            + $"Use a cache folder of your own: fix XDG_CACHE_HOME or HOME, or set {PathVariable}.");
    }

    private static string Octal(NativeMethods.FileOwnerInfo info) => "0" + Convert.ToString(info.Permissions, 8).PadLeft(3, '0');

    private static ClusterStateException Insecure(string path, string message) =>
        new(ErrorIds.CacheInsecure, ClusterStateErrorKind.PermissionDenied, message, path);

    private static ClusterStateException Missing(string path) =>
        new(ErrorIds.CacheInsecure, ClusterStateErrorKind.PermissionDenied, $"The remote-read cache folder '{path}' could not be created.", path);

    private static string Hash(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0, 8).ToLowerInvariant();

    /// <summary>A write-only stream that hashes what passes through it (the digest of a cached file costs no second read).</summary>
    private sealed class HashingStream(FileStream file) : Storage.FileWriteStream(file)
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public string Digest()
        {
            Target.Flush();
            return Convert.ToHexString(_hash.GetHashAndReset()).ToLowerInvariant();
        }

        // The digest is of the bytes in the order written: reading back or seeking anywhere but
        // the end would make it another file's. ArrowFileWriter asks CanSeek and reads Position only.
        public override bool CanRead => false;
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override int Read(Span<byte> buffer) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin)
        {
            long target = origin switch { SeekOrigin.Begin => offset, _ => Target.Position + offset };
            return target == Target.Position ? target : throw new NotSupportedException("The cache file is written (and hashed) front to back.");
        }

        protected override void Written(ReadOnlySpan<byte> buffer) => _hash.AppendData(buffer);

        protected override void Dispose(bool disposing)
        {
            if (disposing) _hash.Dispose();
            base.Dispose(disposing);
        }
    }
}
