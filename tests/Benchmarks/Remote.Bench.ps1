#!/usr/bin/env pwsh
<#
.SYNOPSIS
    The state over Arrow Flight: a ClusterState server on the large seeded state (10k nodes, 1M
    tasks, 1M content) and this pwsh as its client on loopback. Saves out/bench/remote.clixml,
    which Cmdlets.Bench.ps1 turns into the "Remote" section of docs/PERFORMANCE.md.
.DESCRIPTION
    Cases, each paired with the same command on the state directory in the same run:
    * a small query (one node by id) — the round trip;
    * Find-ClusterTask -Status failed over 1M tasks, evaluated by the server (no cached copy) and
      from the cached copy of the current generation;
    * the full chunked transfer of the tasks flight (1M rows) with the Flight client, and the
      first read of the whole state (four flights, assembled and cached as an Arrow file);
    * resident memory of the server and of the client around the full transfers.
#>
param(
    [string] $ModulePath = $env:CLUSTERSTATE_MODULE,
    [string] $StateRoot = (Join-Path $PSScriptRoot '../../out/bench'),
    [int] $Runs = 7,
    [int] $TransferRuns = 3
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath
$state = Join-Path $StateRoot 'scale-large'
if (-not (Test-Path (Join-Path $state 'state_metadata.json'))) { throw "Run tests/ClusterState.Benchmarks first: it generates $state." }

. (Join-Path $PSScriptRoot 'Measure.ps1')

# Resident memory of a process sampled every 10 ms on a thread of its own: the peak of a case.
Add-Type -TypeDefinition @'
using System;
using System.IO;
using System.Linq;
using System.Threading;
public sealed class RssSampler : IDisposable
{
    private readonly int _pid;
    private readonly Thread _thread;
    private volatile bool _stop;
    public double StartMiB { get; }
    public double PeakMiB { get; private set; }
    public RssSampler(int pid)
    {
        _pid = pid;
        StartMiB = PeakMiB = Read();
        _thread = new Thread(() => { while (!_stop) { PeakMiB = Math.Max(PeakMiB, Read()); Thread.Sleep(10); } }) { IsBackground = true };
        _thread.Start();
    }
    public double Read()
    {
        string line = File.ReadLines("/proc/" + _pid + "/status").First(l => l.StartsWith("VmRSS:"));
        return double.Parse(new string(line.Where(char.IsDigit).ToArray())) / 1024;
    }
    public void Dispose() { _stop = true; _thread.Join(); }
}
'@
function Measure-Memory([int[]] $ProcessIds, [scriptblock] $Script) {
    # Runs the script once; resident MiB of each process before, at the peak, and after.
    $samplers = @($ProcessIds | ForEach-Object { [RssSampler]::new($_) })
    try { $null = & $Script }
    finally { $samplers | ForEach-Object { $_.Dispose() } }
    foreach ($s in $samplers) { [pscustomobject]@{ BeforeMiB = $s.StartMiB; PeakMiB = $s.PeakMiB; AfterMiB = $s.Read() } }
}

$server = Start-ClusterStateServer -StatePath $state
try {
    $remote = [ClusterState.RemoteState]::Connect($server.Uri, [ClusterState.RemoteOptions]@{ Token = $server.Token })
    $hash = [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes($remote.Location)), 0, 8).ToLowerInvariant()
    # The user's remote-read cache folder of this server (see RemoteCache).
    $cacheRoot = if ($env:CLUSTERSTATE_CACHE_PATH) { $env:CLUSTERSTATE_CACHE_PATH }
    elseif ($env:XDG_CACHE_HOME -and [IO.Path]::IsPathFullyQualified($env:XDG_CACHE_HOME)) { Join-Path $env:XDG_CACHE_HOME 'clusterstate' }
    else { Join-Path $HOME '.cache/clusterstate' }
    $cache = Join-Path $cacheRoot "remote/$hash"
    $dropCache = { Remove-Item $cache -Recurse -Force -ErrorAction SilentlyContinue; [ClusterState.ClusterSnapshot]::ClearCache() }
    $env:CLUSTERSTATE_SERVER_TOKEN = $server.Token
    $uri = $server.Uri
    $nodeId = (Get-ClusterNode -StatePath $state | Select-Object -First 1 -Skip 100).Id

    & $dropCache
    $small = [pscustomobject]@{
        Case = Measure-Case "Get-ClusterNode -Id <id> -StatePath $uri" { Get-ClusterNode -StatePath $uri -Id $nodeId } $Runs
        Base = Measure-Case 'Get-ClusterNode -Id <id> (state directory)' { Get-ClusterNode -StatePath $state -Id $nodeId } $Runs
    }
    $metadataTrip = Measure-Case 'metadata action (one round trip)' { $remote.ReadMetadata().Generation } $Runs

    & $dropCache
    $pushed = Measure-Case "Find-ClusterTask -Status failed -StatePath $uri (evaluated by the server)" { Find-ClusterTask -StatePath $uri -Status failed } $Runs
    $localFailed = Measure-Case 'Find-ClusterTask -Status failed (state directory)' { Find-ClusterTask -StatePath $state -Status failed } $Runs

    # The whole tasks flight with the Flight client: 1M rows in chunks of 16,384.
    $headers = [Grpc.Core.Metadata]::new()
    $headers.Add('authorization', "Bearer $($server.Token)")
    $channel = [Grpc.Net.Client.GrpcChannel]::ForAddress(($uri -replace '^grpc://', 'http://'), [Grpc.Net.Client.GrpcChannelOptions]@{ MaxReceiveMessageSize = $null })
    $client = [Apache.Arrow.Flight.Client.FlightClient]::new($channel)
    $readTasks = {
        $call = $client.GetStream([Apache.Arrow.Flight.FlightTicket]::new('tasks'), $headers)
        $rows = 0L; $chunks = 0
        while ($call.ResponseStream.MoveNext([Threading.CancellationToken]::None).GetAwaiter().GetResult()) {
            $batch = $call.ResponseStream.Current
            $rows += $batch.Length; $chunks++
            $batch.Dispose()
        }
        $call.Dispose()
        $script:Chunks = $chunks
        $rows
    }
    $transfer = Measure-Case 'DoGet tasks: 1M rows in chunks (Flight client)' $readTasks $TransferRuns
    $openAll = { $s = $remote.Open(); $n = $s.TaskCount; $s.Dispose(); $n }
    $full = Measure-Case 'First read of the whole state (RemoteState.Open: 4 flights, assembled, cached)' $openAll $TransferRuns -Before $dropCache
    [GC]::Collect(); [GC]::WaitForPendingFinalizers()
    $memTransfer = Measure-Memory $server.ProcessId, $PID $readTasks
    & $dropCache; [GC]::Collect(); [GC]::WaitForPendingFinalizers()
    $memFull = Measure-Memory $server.ProcessId, $PID $openAll

    # With the current generation cached, the same question costs the metadata round trip and a local scan.
    $null = Get-ClusterStatus -StatePath $uri
    $cached = Measure-Case "Find-ClusterTask -Status failed -StatePath $uri (cached copy of the generation)" { Find-ClusterTask -StatePath $uri -Status failed } $Runs
    $channel.Dispose()

    [pscustomobject]@{
        Date = (Get-Date).ToUniversalTime().ToString('yyyy-MM-dd HH:mm'); Chunks = $script:Chunks; ChunkRows = 16384
        SnapshotMiB = (Get-Item (Join-Path $state (Get-Content -Raw (Join-Path $state 'state_metadata.json') | ConvertFrom-Json).snapshot)).Length / 1MB
        Small = $small; MetadataTrip = $metadataTrip; Pushed = $pushed; LocalFailed = $localFailed; Cached = $cached; Transfer = $transfer; Full = $full
        Memory = [pscustomobject]@{ ServerTransfer = $memTransfer[0]; ClientTransfer = $memTransfer[1]; ServerFull = $memFull[0]; ClientFull = $memFull[1] }
    } | Export-Clixml -Path (Join-Path $StateRoot 'remote.clixml') -Depth 6
    Write-Host "Remote: small $($small.Case.MedianMs) ms, pushed-down failed $($pushed.MedianMs) ms, cached $($cached.MedianMs) ms, tasks flight $($transfer.MedianMs) ms, full read $($full.MedianMs) ms"
}
finally {
    $env:CLUSTERSTATE_SERVER_TOKEN = $null
    $server | Stop-ClusterStateServer
}
