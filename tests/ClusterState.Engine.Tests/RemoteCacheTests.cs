using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using ClusterState.Storage;
using Xunit;

namespace ClusterState.Engine.Tests;

/// <summary>A real server process for the cache tests (one per class: starting it is the slow part).</summary>
public sealed class CacheServerFixture : IDisposable
{
    public const string Token = "cache-token-9c2e";
    private readonly ServerProcess _server;

    public CacheServerFixture()
    {
        State = _dir.Combine("s");
        StateStore.Create(State, TestStates.Sample(nodes: 50, tasks: 3_000, content: 400, seed: 7).ToStateContent());
        _server = ServerProcess.WithToken(Token, State);
        Uri = _server.Uri;
    }

    private readonly TempDirectory _dir = new();

    public string State { get; }

    public string Uri { get; }

    public void Dispose()
    {
        _server.Dispose();
        _dir.Dispose();
    }
}

/// <summary>
/// The remote-read cache (RemoteCache): private folders and files only, refused otherwise with
/// CacheInsecure; a cached file whose bytes or state are not the server's is never answered from.
/// </summary>
[Collection("Processes")]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class RemoteCacheTests : IClassFixture<CacheServerFixture>, IDisposable
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private readonly CacheServerFixture _server;
    private readonly TempDirectory _dir = new();
    private readonly string? _savedPath = Environment.GetEnvironmentVariable(RemoteCache.PathVariable);
    private readonly string _root;

    public RemoteCacheTests(CacheServerFixture server)
    {
        _server = server;
        _root = _dir.Combine("cache");
        Environment.SetEnvironmentVariable(RemoteCache.PathVariable, _root);
        ClusterSnapshot.ClearCache();
        RemoteCache.ForgetVerified();
    }

    private RemoteState Remote() => RemoteState.Connect(_server.Uri, new RemoteOptions { Token = CacheServerFixture.Token });

    private string ServerFolder => new RemoteCache(_server.Uri).FolderPath;

    private static UnixFileMode Mode(string path) => File.GetUnixFileMode(path);

    private static void AssertRefused(Action read, string path)
    {
        var e = Assert.Throws<ClusterStateException>(read);
        Assert.Equal(ErrorIds.CacheInsecure, e.ErrorId);
        Assert.Equal(ClusterStateErrorKind.PermissionDenied, e.Kind);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Equal(path, e.Target);
    }

    private static NodeQuery AllNodes => new();

    [Fact]
    public void Creates_every_cache_folder_0700_and_every_cached_file_0600_named_with_its_digest()
    {
        // The folder above the root is created too (0700) when it does not exist.
        string root = _dir.Combine("missing/cache");
        Environment.SetEnvironmentVariable(RemoteCache.PathVariable, root);
        using (var snapshot = Remote().Open()) Assert.Equal(50, snapshot.NodeCount);
        foreach (var dir in new[] { _dir.Combine("missing"), root, Path.Combine(root, "remote"), ServerFolder })
            Assert.Equal(Private, Mode(dir));
        var file = Assert.Single(Directory.GetFiles(ServerFolder));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, Mode(file));
        string digest = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file))).ToLowerInvariant();
        Assert.EndsWith("." + digest + ".arrow", file, StringComparison.Ordinal);
    }

    [Fact]
    public void Checks_a_cached_files_digest_once_per_process_and_file_identity()
    {
        var remote = Remote();
        long before = RemoteCache.DigestsChecked;
        string file;
        using (var fetched = remote.Open()) file = fetched.SnapshotPath;
        ClusterSnapshot.ClearCache();
        using (remote.Open()) { }
        Assert.Equal(before, RemoteCache.DigestsChecked); // hashed while it was written: not read again
        RemoteCache.ForgetVerified(); // as another process of the user
        ClusterSnapshot.ClearCache();
        using (remote.Open()) { }
        using (remote.OpenFor(ClusterSchema.Names.Nodes, AllNodes)) { }
        Assert.Equal(before + 1, RemoteCache.DigestsChecked);
        File.SetLastWriteTimeUtc(file, DateTime.UtcNow.AddMinutes(-5)); // same bytes, another identity: checked again
        using (var again = remote.Open()) Assert.Equal(file, again.SnapshotPath);
        Assert.Equal(before + 2, RemoteCache.DigestsChecked);
    }

    [Theory]
    [InlineData("", "rwxr-xr-x")]
    [InlineData("remote", "rwxrwx---")]
    [InlineData("remote/server", "rwxrwxrwx")]
    public void Refuses_a_cache_folder_open_to_others_with_CacheInsecure_and_writes_nothing(string below, string mode)
    {
        string path = below switch { "" => _root, "remote" => Path.Combine(_root, "remote"), _ => ServerFolder };
        foreach (string dir in new[] { _root, Path.Combine(_root, "remote"), ServerFolder }.Where(d => d.Length <= path.Length)) Directory.CreateDirectory(dir, Private);
        File.SetUnixFileMode(path, ParseMode(mode));
        var remote = Remote();
        AssertRefused(() => remote.Open().Dispose(), path);
        AssertRefused(() => remote.OpenFor(ClusterSchema.Names.Nodes, AllNodes).Dispose(), path);
        Assert.Empty(Directory.GetFiles(_root, "*", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("")]
    [InlineData("remote/server")]
    public void Refuses_a_symlinked_cache_folder_even_to_a_private_one(string below)
    {
        string target = _dir.Combine("elsewhere");
        Directory.CreateDirectory(target, Private);
        string path = below == "" ? _root : ServerFolder;
        if (below != "") foreach (string dir in new[] { _root, Path.Combine(_root, "remote") }) Directory.CreateDirectory(dir, Private);
        File.CreateSymbolicLink(path, target);
        var remote = Remote();
        AssertRefused(() => remote.Open().Dispose(), path);
        AssertRefused(() => remote.OpenFor(ClusterSchema.Names.Nodes, AllNodes).Dispose(), path);
        Assert.Empty(Directory.GetFileSystemEntries(target));
    }

    [Fact]
    public void Refuses_a_cache_folder_or_file_of_another_user()
    {
        if (NativeMethods.EffectiveUserId() != 0) return; // changing a folder's owner needs root (CI runs as root)
        const int Other = 61234;
        Directory.CreateDirectory(_root, Private);
        Chown(_root, Other);
        var remote = Remote();
        AssertRefused(() => remote.Open().Dispose(), _root);
        Chown(_root, 0);

        // The folder above the root may be 0755, but not another user's.
        string parent = _dir.Combine("theirs");
        Directory.CreateDirectory(parent, Private);
        Chown(parent, Other);
        Environment.SetEnvironmentVariable(RemoteCache.PathVariable, Path.Combine(parent, "cache"));
        AssertRefused(() => remote.Open().Dispose(), parent);
        Assert.Empty(Directory.GetFileSystemEntries(parent));

        // A cached file planted by another user (root can) is refused too, not mapped.
        Environment.SetEnvironmentVariable(RemoteCache.PathVariable, _root);
        string file;
        using (var snapshot = remote.Open()) file = snapshot.SnapshotPath;
        ClusterSnapshot.ClearCache();
        Chown(file, Other);
        AssertRefused(() => remote.Open().Dispose(), file);
    }

    [Fact]
    public void Refuses_a_cached_file_open_to_others()
    {
        var remote = Remote();
        string file;
        using (var snapshot = remote.Open()) file = snapshot.SnapshotPath;
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        AssertRefused(() => remote.Open().Dispose(), file);
    }

    [Fact]
    public void Never_answers_from_a_cached_file_whose_bytes_changed()
    {
        var remote = Remote();
        string file;
        using (var snapshot = remote.Open()) file = snapshot.SnapshotPath;
        byte[] original = File.ReadAllBytes(file);
        // Change bytes inside the nodes' data (same length): the Arrow framing stays valid.
        using (var stream = new FileStream(file, FileMode.Open, FileAccess.Write))
        {
            stream.Position = original.Length / 3;
            stream.Write(Enumerable.Repeat((byte)'X', 64).ToArray());
        }
        using var local = ClusterSnapshot.Open(_server.State);
        using (var again = remote.Open())
        {
            Assert.Equal(local.NodeCount, again.NodeCount);
            Assert.Equal(local.TaskCount, again.TaskCount);
            Assert.Equal(original, File.ReadAllBytes(again.SnapshotPath)); // fetched again, not the changed bytes
        }
        // The same in a process that has not verified the file yet (another process of the user).
        byte[] flipped = original.Select((b, i) => i == original.Length / 2 ? (byte)(b ^ 1) : b).ToArray();
        File.WriteAllBytes(file, flipped);
        ClusterSnapshot.ClearCache();
        RemoteCache.ForgetVerified();
        using (var query = remote.OpenFor(ClusterSchema.Names.Nodes, AllNodes))
            Assert.Equal(local.FindNodes(AllNodes).Items.Select(n => n.Id), query.FindNodes(AllNodes).Items.Select(n => n.Id));
        Assert.All(Directory.GetFiles(ServerFolder), f => Assert.NotEqual(flipped, File.ReadAllBytes(f)));
    }

    [Fact]
    public void Never_answers_from_another_states_snapshot_put_under_the_cached_name()
    {
        var remote = Remote();
        string file;
        using (var snapshot = remote.Open()) file = snapshot.SnapshotPath;
        string other = TestStates.Create(_dir, TestStates.Sample(nodes: 7, tasks: 10, content: 5, seed: 99), "other");
        byte[] theirs;
        using (var small = ClusterSnapshot.Open(other))
        {
            Assert.Equal(7, small.NodeCount);
            theirs = small.FileBytes.ToArray();
        }
        using var local = ClusterSnapshot.Open(_server.State);

        // Their bytes under our file name: the digest in the name does not match.
        File.WriteAllBytes(file, theirs);
        using (var again = remote.Open()) Assert.Equal(local.NodeCount, again.NodeCount);
        using (var query = remote.OpenFor(ClusterSchema.Names.Nodes, AllNodes)) Assert.Equal(50, query.FindNodes(AllNodes).Items.Count());

        // Their bytes under the generation's name with their own (correct) digest: intact, but not
        // the server's state (cluster id, generation), so deleted and fetched again.
        string name = Path.GetFileName(file);
        string prefix = name[..name.IndexOf('.', StringComparison.Ordinal)];
        string planted = Path.Combine(ServerFolder, prefix + "." + Convert.ToHexString(SHA256.HashData(theirs)).ToLowerInvariant() + ".arrow");
        File.Delete(file);
        File.WriteAllBytes(planted, theirs);
        File.SetUnixFileMode(planted, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        ClusterSnapshot.ClearCache();
        RemoteCache.ForgetVerified();
        using (var query = remote.OpenFor(ClusterSchema.Names.Nodes, AllNodes)) Assert.Equal(50, query.FindNodes(AllNodes).Items.Count());
        Assert.False(File.Exists(planted));
        using (var again = remote.Open())
        {
            Assert.Equal(local.NodeCount, again.NodeCount);
            Assert.Equal(local.ClusterId, again.ClusterId);
        }
    }

    [Fact]
    public void Sweeps_only_real_folders_of_this_user_inside_its_root_when_unused_for_a_day()
    {
        string remoteDir = Path.Combine(_root, "remote");
        Directory.CreateDirectory(_root, Private);
        Directory.CreateDirectory(remoteDir, Private);
        string Old(string name, string? file = null)
        {
            string dir = Path.Combine(remoteDir, name);
            Directory.CreateDirectory(dir, Private);
            if (file is not null) File.WriteAllText(Path.Combine(dir, file), "x");
            Directory.SetLastWriteTimeUtc(dir, DateTime.UtcNow.AddDays(-2));
            return dir;
        }
        string stale = Old("0123456789abcdef", "old.arrow");
        string recent = Path.Combine(remoteDir, "1111111111111111");
        Directory.CreateDirectory(recent, Private);
        // A link to a folder outside the root, old as well: never followed, never deleted through.
        string outside = _dir.Combine("outside");
        Directory.CreateDirectory(outside, Private);
        File.WriteAllText(Path.Combine(outside, "keep"), "k");
        Directory.SetLastWriteTimeUtc(outside, DateTime.UtcNow.AddDays(-2));
        string link = Path.Combine(remoteDir, "fedcba9876543210");
        File.CreateSymbolicLink(link, outside);
        string? theirs = null;
        if (NativeMethods.EffectiveUserId() == 0)
        {
            theirs = Old("2222222222222222", "theirs.arrow");
            Chown(theirs, 61234);
        }

        using (var snapshot = Remote().Open()) Assert.Equal(50, snapshot.NodeCount);

        Assert.False(Directory.Exists(stale));
        Assert.True(Directory.Exists(recent));
        Assert.NotNull(new FileInfo(link).LinkTarget);
        Assert.True(File.Exists(Path.Combine(outside, "keep")));
        if (theirs is not null) Assert.True(File.Exists(Path.Combine(theirs, "theirs.arrow")));
    }

    private static UnixFileMode ParseMode(string rwx)
    {
        var bits = new[] { UnixFileMode.UserRead, UnixFileMode.UserWrite, UnixFileMode.UserExecute, UnixFileMode.GroupRead, UnixFileMode.GroupWrite, UnixFileMode.GroupExecute, UnixFileMode.OtherRead, UnixFileMode.OtherWrite, UnixFileMode.OtherExecute };
        return bits.Where((_, i) => rwx[i] != '-').Aggregate(UnixFileMode.None, (a, b) => a | b);
    }

    private static void Chown(string path, int uid)
    {
        using var chown = Process.Start(new ProcessStartInfo("chown", $"{uid}:{uid} \"{path}\"") { UseShellExecute = false })!;
        chown.WaitForExit();
        Assert.Equal(0, chown.ExitCode);
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(RemoteCache.PathVariable, _savedPath);
        ClusterSnapshot.ClearCache();
        RemoteState.Disconnect(_server.Uri);
        _dir.Dispose();
    }
}
