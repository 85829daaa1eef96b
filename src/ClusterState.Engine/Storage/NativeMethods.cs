using System;
using System.IO;
using System.Runtime.InteropServices;

namespace ClusterState.Storage;

/// <summary>The one operating-system call .NET has no API for: creating a hard link.</summary>
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
#pragma warning restore CA2101, SYSLIB1054
    }
}
