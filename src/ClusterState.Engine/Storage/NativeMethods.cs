using System;
using System.IO;
using System.Runtime.InteropServices;

namespace ClusterState.Storage;

/// <summary>The operating-system calls .NET has no API for: creating a hard link, starting write-back early.</summary>
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
    /// Starts writing the given byte range of a file to disk without waiting (Linux
    /// <c>sync_file_range(SYNC_FILE_RANGE_WRITE)</c>), so that a later fsync finds most of the file
    /// already written; does nothing elsewhere. Durability still comes from the fsync.
    /// </summary>
    public static void StartWriteBack(Microsoft.Win32.SafeHandles.SafeFileHandle file, long offset, long count)
    {
        if (!OperatingSystem.IsLinux() || s_noSyncFileRange) return;
        bool added = false;
        try
        {
            file.DangerousAddRef(ref added);
            if (Unix.sync_file_range(file.DangerousGetHandle().ToInt32(), offset, count, 2 /* SYNC_FILE_RANGE_WRITE */) != 0)
                s_noSyncFileRange = Marshal.GetLastPInvokeError() == 38; // ENOSYS: not on this system
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            s_noSyncFileRange = true;
        }
        finally
        {
            if (added) file.DangerousRelease();
        }
    }

    private static bool s_noSyncFileRange;

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
#pragma warning restore CA2101, SYSLIB1054
    }
}
