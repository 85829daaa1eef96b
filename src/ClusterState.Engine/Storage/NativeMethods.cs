using System;
using System.IO;
using System.Runtime.InteropServices;

namespace ClusterState.Storage;

/// <summary>The operating-system calls .NET has no API for: creating a hard link, starting write-back early, syncing data only, a file's owner, a thread's priority.</summary>
internal static class NativeMethods
{
    /// <summary>Creates <paramref name="link"/> as a hard link to <paramref name="existing"/>; false when the platform or file system cannot.</summary>
    public static bool TryHardLink(string existing, string link)
    {
        try
        {
            return OperatingSystem.IsWindows()
                ? CreateHardLinkW(link, existing, IntPtr.Zero)
                : Unix.link(existing, link) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// Gives the calling thread the nice value <paramref name="nice"/> (Linux: a thread's nice
    /// value is its own, <c>setpriority</c> on its thread id); does nothing elsewhere or where the
    /// system refuses. Only ever lower: an unprivileged process cannot raise it back.
    /// </summary>
    public static void LowerThreadPriority(int nice)
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            // Refused (a sandbox without the call): the work runs at normal priority, as before.
            _ = Unix.setpriority(0 /* PRIO_PROCESS: with a thread id, that thread */, (uint)Unix.gettid(), nice);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // An older C library without gettid: the work runs at normal priority.
        }
    }

    /// <summary>
    /// Starts writing the given byte range of a file to disk without waiting (Linux
    /// <c>sync_file_range(SYNC_FILE_RANGE_WRITE)</c>), so that a later fsync finds most of the file
    /// already written; does nothing elsewhere. Durability still comes from the fsync.
    /// </summary>
    public static void StartWriteBack(Microsoft.Win32.SafeHandles.SafeFileHandle file, long offset, long count) =>
        SyncFileRange(file, offset, count, 2 /* SYNC_FILE_RANGE_WRITE */);

    /// <summary>
    /// Waits until the given byte range of a file, whose writing was started before, is on disk
    /// (Linux <c>sync_file_range</c> with WAIT_BEFORE, WRITE and WAIT_AFTER: no metadata, no
    /// journal commit); does nothing elsewhere. Durability still comes from the fsync.
    /// </summary>
    public static void AwaitWriteBack(Microsoft.Win32.SafeHandles.SafeFileHandle file, long offset, long count)
    {
        if (count > 0) SyncFileRange(file, offset, count, 7 /* WAIT_BEFORE | WRITE | WAIT_AFTER */);
    }

    /// <summary><c>sync_file_range</c> on Linux where the system has it (remembered once it says ENOSYS); nothing elsewhere.</summary>
    private static void SyncFileRange(Microsoft.Win32.SafeHandles.SafeFileHandle file, long offset, long count, uint flags)
    {
        if (!OperatingSystem.IsLinux() || s_noSyncFileRange) return;
        try
        {
            int errno = OnDescriptor(file, fd => Unix.sync_file_range(fd, offset, count, flags) == 0 ? 0 : Marshal.GetLastPInvokeError());
            if (errno != 0) s_noSyncFileRange = errno == 38; // ENOSYS: not on this system
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            s_noSyncFileRange = true;
        }
    }

    /// <summary>Runs a system call on a handle's descriptor, holding a reference on the handle so the descriptor cannot be closed (and reused) meanwhile.</summary>
    private static T OnDescriptor<T>(Microsoft.Win32.SafeHandles.SafeFileHandle file, Func<int, T> call)
    {
        bool added = false;
        try
        {
            file.DangerousAddRef(ref added);
            return call(file.DangerousGetHandle().ToInt32());
        }
        finally
        {
            if (added) file.DangerousRelease();
        }
    }

    private static bool s_noSyncFileRange;

    /// <summary>
    /// Opens (creates, mode 0644) a lock file read-write with no lock of .NET's own (its open takes a
    /// shared flock, which fails while another process holds the exclusive one); null off Linux.
    /// </summary>
    public static Microsoft.Win32.SafeHandles.SafeFileHandle? OpenForLock(string path)
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            const int ReadWrite = 2, Create = 0x40, CloseOnExec = 0x80000;
            int fd = Unix.open(path, ReadWrite | Create | CloseOnExec, 0x1A4 /* 0644 */);
            if (fd < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                if (errno is 13 or 21) throw new UnauthorizedAccessException($"'{path}' cannot be opened for writing (errno {errno}).");
                throw new IOException($"open of '{path}' failed (errno {errno}).", errno);
            }
            return new Microsoft.Win32.SafeHandles.SafeFileHandle((IntPtr)fd, ownsHandle: true);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Waits in the kernel for an exclusive <c>flock</c> on a file (Linux; the same lock .NET
    /// takes for <see cref="FileShare.None"/>). Waiters queue in the kernel instead of polling,
    /// so a busy writer that releases and asks again does not keep beating them to it. Returns
    /// false when the call is not available here.
    /// </summary>
    public static bool TryLockExclusive(Microsoft.Win32.SafeHandles.SafeFileHandle file)
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return OnDescriptor(file, fd =>
            {
                while (true)
                {
                    if (Unix.flock(fd, 2 /* LOCK_EX */) == 0) return true;
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno != 4 /* EINTR */) throw new IOException($"flock failed (errno {errno}).", errno);
                }
            });
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// Takes an exclusive <c>flock</c> on a file if no one holds it (Linux): true when taken, false
    /// when another holder has it, null when the call is not available here. Without an exception
    /// for a busy lock: .NET reports a busy <see cref="FileShare.None"/> open by throwing, which
    /// with eight writer processes happened more than once per commit, each a stack unwind.
    /// </summary>
    public static bool? TryLockExclusiveNow(Microsoft.Win32.SafeHandles.SafeFileHandle file)
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            return OnDescriptor(file, fd =>
            {
                while (true)
                {
                    if (Unix.flock(fd, 2 /* LOCK_EX */ | 4 /* LOCK_NB */) == 0) return true;
                    int errno = Marshal.GetLastPInvokeError();
                    if (errno == 11 /* EWOULDBLOCK */) return false;
                    if (errno != 4 /* EINTR */) throw new IOException($"flock failed (errno {errno}).", errno);
                }
            });
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Makes a file's data durable (Linux <c>fdatasync</c>: the data and the size, not the
    /// times, which is what an append needs and half the cost of fsync). Elsewhere an fsync
    /// through a second handle, which flushes the same file.
    /// </summary>
    public static void DataSync(Microsoft.Win32.SafeHandles.SafeFileHandle file, string path)
    {
        if (OperatingSystem.IsLinux())
        {
            int errno = OnDescriptor(file, fd => Unix.fdatasync(fd) == 0 ? 0 : Marshal.GetLastPInvokeError());
            if (errno == 0) return;
            throw new IOException($"fdatasync of '{path}' failed (errno {errno}).");
        }
        using var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        stream.Flush(flushToDisk: true);
    }

    /// <summary>
    /// What an lstat tells about a path: its owner, type and permission bits, and its identity
    /// (device, inode, size, modification and change times: any write, chmod or touch changes it).
    /// </summary>
    public readonly record struct FileOwnerInfo(uint Uid, uint Mode, ulong Device, ulong Inode, long Size, long MTimeSeconds, uint MTimeNanoseconds, long CTimeSeconds = 0, uint CTimeNanoseconds = 0)
    {
        /// <summary>File type bits (S_IFMT).</summary>
        public uint Type => Mode & 0xF000;

        /// <summary>A directory (S_IFDIR), not a symbolic link to one.</summary>
        public bool IsDirectory => Type == 0x4000;

        /// <summary>A regular file (S_IFREG), not a symbolic link to one.</summary>
        public bool IsRegularFile => Type == 0x8000;

        /// <summary>The permission bits (with setuid, setgid and sticky).</summary>
        public uint Permissions => Mode & 0xFFF;
    }

    /// <summary>True where <see cref="TryStat"/> can tell a file's owner (Linux: glibc's statx).</summary>
    public static bool CanReadOwner => OperatingSystem.IsLinux();

    /// <summary>The effective user id of this process (Unix only).</summary>
    public static uint EffectiveUserId() => Unix.geteuid();

    /// <summary>
    /// statx of a path on Linux: without following a final symbolic link (lstat semantics) unless
    /// <paramref name="followLinks"/>. Null when the path does not exist; other failures throw
    /// an <see cref="IOException"/> with the errno.
    /// </summary>
    public static unsafe FileOwnerInfo? TryStat(string path, bool followLinks = false)
    {
        // struct statx has the same layout on every Linux architecture (256 bytes): stx_mask u32 @0,
        // stx_blksize u32 @4, stx_attributes u64 @8, stx_nlink u32 @16, stx_uid u32 @20, stx_gid u32 @24,
        // stx_mode u16 @28, stx_ino u64 @32, stx_size u64 @40, ..., stx_ctime {i64 sec, u32 nsec} @96,
        // stx_mtime @112,
        // stx_dev_major u32 @136, stx_dev_minor u32 @140.
        const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100, StatxBasicStats = 0x7ff;
        byte* buffer = stackalloc byte[256];
        if (Unix.statx(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, StatxBasicStats, buffer) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno is 2 or 20) return null; // ENOENT, ENOTDIR
            throw new IOException($"statx of '{path}' failed (errno {errno}: {Marshal.GetPInvokeErrorMessage(errno)}).", errno);
        }
        return new FileOwnerInfo(
            Uid: *(uint*)(buffer + 20),
            Mode: *(ushort*)(buffer + 28),
            Device: ((ulong)*(uint*)(buffer + 136) << 32) | *(uint*)(buffer + 140),
            Inode: *(ulong*)(buffer + 32),
            Size: (long)*(ulong*)(buffer + 40),
            MTimeSeconds: *(long*)(buffer + 112),
            MTimeNanoseconds: *(uint*)(buffer + 120),
            CTimeSeconds: *(long*)(buffer + 96),
            CTimeNanoseconds: *(uint*)(buffer + 104));
    }

    [DllImport("kernel32", CharSet = CharSet.Unicode, SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.System32)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static extern bool CreateHardLinkW(string fileName, string existingFileName, IntPtr securityAttributes);

    private static class Unix
    {
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
#pragma warning disable CA2101, SYSLIB1054 // file names are passed as UTF-8, which is what the C library expects on Linux and macOS
        public static extern int link([MarshalAs(UnmanagedType.LPUTF8Str)] string existing, [MarshalAs(UnmanagedType.LPUTF8Str)] string link);

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int sync_file_range(int fd, long offset, long nbytes, uint flags);

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern unsafe int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte* statxbuf);

        [DllImport("libc")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern uint geteuid();

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int fdatasync(int fd);

        [DllImport("libc")]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int gettid();

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int setpriority(int which, uint who, int prio);

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int flock(int fd, int operation);

        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);
#pragma warning restore CA2101, SYSLIB1054
    }
}
