#!/usr/bin/env pwsh
# The quick-start demo: creates a sample cluster state and shows what the module does with it.
# Run through `./build.ps1 Demo`, which builds the module and starts this in a fresh pwsh.
param(
    [string] $StatePath = (Join-Path ([IO.Path]::GetTempPath()) 'clusterstate-demo'),
    [string] $ModulePath = $env:CLUSTERSTATE_MODULE
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath

function Show([string] $Title, [scriptblock] $Command) {
    Write-Host ''
    Write-Host "PS> $($Command.ToString().Trim())" -ForegroundColor Yellow
    Write-Host "# $Title" -ForegroundColor DarkGray
    # Wide enough for 52-character peer ids, whatever the terminal of a CI log.
    & $Command | Out-String -Width 180 | Write-Host
}

Show 'A sample cluster: 200 nodes, 100,000 tasks, 20,000 content items (seeded, so always the same)' {
    New-ClusterState -Path $StatePath -NodeCount 200 -TaskCount 100000 -ContentCount 20000 -Seed 42 -Force
}
Show 'Make it the session default, so no cmdlet below needs -StatePath' { Connect-ClusterState -Path $StatePath }
Show 'The status summary, computed on the Arrow columns' { Get-ClusterStatus | Format-List }
Show 'Workers with CPU to spare' {
    Get-ClusterNode -Role worker -Status online | Where-Object CpuLoad -lt 20 | Select-Object -First 5
}
Show 'GPU nodes' { Get-ClusterNode -GpuAvailable | Select-Object -First 5 }
Show 'Pending tasks that need a GPU (filters pushed down to the columns)' {
    Find-ClusterTask -Status pending -MinGpuCores 1 | Select-Object -First 5
}
Show 'How many tasks are pending, per type' {
    Find-ClusterTask -Status pending | Group-Object Type -NoElement | Sort-Object Count -Descending
}
Show 'Under-replicated content (fewer providers than its replication target)' {
    Get-ClusterContentMap | Where-Object UnderReplicated | Select-Object -First 5
}
Show 'The busiest nodes, with utilization computed over the columns' {
    Get-ClusterNode -Role worker -Status online | Get-ClusterNodeUtilization | Sort-Object LoadIndex -Descending | Select-Object -First 5
}
Show 'Requeue every failed task: one pipeline, one atomic commit' {
    $before = (Get-ClusterMetadata).Generation
    $requeued = Find-ClusterTask -Status failed | Set-ClusterTask -Status pending -PassThru
    [pscustomobject]@{ Requeued = $requeued.Count; GenerationBefore = $before; GenerationAfter = (Get-ClusterMetadata).Generation }
}
Show 'The placement plan for pending GPU tasks (-WhatIf: nothing is committed)' {
    Find-ClusterTask -Status pending -MinGpuCores 1 | Invoke-ClusterTaskPlacement -WhatIf 3>$null | Select-Object -First 5
}
Show 'Opening the memory-mapped snapshot costs well under a millisecond, whatever its size (nothing is copied)' {
    $watch = [Diagnostics.Stopwatch]::new()
    $times = foreach ($i in 1..50) {
        [ClusterState.ClusterSnapshot]::ClearCache()   # time a real open: map the file and read its messages
        $watch.Restart(); $s = [ClusterState.ClusterSnapshot]::Open($StatePath); $watch.Stop(); $s.Dispose()
        $watch.Elapsed.TotalMilliseconds
    }
    $snapshot = Get-ClusterState
    [pscustomobject]@{
        SnapshotMiB  = [math]::Round($snapshot.SizeBytes / 1MB, 1)
        Tasks        = $snapshot.TaskCount
        ZeroCopy     = $snapshot.IsZeroCopy()
        MedianOpenMs = [math]::Round(($times | Sort-Object)[25], 3)
    }
    $snapshot.Dispose()
}
Show 'Export the whole state as JSON and as an Arrow IPC file' {
    Export-ClusterState -Path (Join-Path $StatePath '../demo-export.json') -Format Json -Force -PassThru
    Export-ClusterState -Path (Join-Path $StatePath '../demo-export.arrow') -Format Arrow -Force -PassThru
}
Show 'A Parquet checkpoint, written column by column from the Arrow buffers' {
    Save-ClusterStateCheckpoint -Keep 3 | Select-Object CreatedAt, @{ n = 'SizeMiB'; e = { [math]::Round($_.SizeBytes / 1MB, 1) } }, Path
}
Show 'Prometheus metrics (what Export-ClusterMetric writes for node_exporter), tasks by status' {
    Get-ClusterMetric clusterstate_tasks | Group-Object { $_.Labels.status } |
        ForEach-Object { [pscustomobject]@{ Status = $_.Name; Tasks = [int]($_.Group | Measure-Object Value -Sum).Sum } }
}
Show 'Watch commits as they happen: two commits, each reported with what it changed' {
    $ids = (Find-ClusterTask -Status pending | Select-Object -First 3).Id
    $job = Start-ThreadJob { param($m, $p, $i) Import-Module $m; Start-Sleep -Milliseconds 300; $i | Set-ClusterTask -StatePath $p -Status cancelled; Add-ClusterContent -StatePath $p -Cid 'bafy-demo' -Size 1 } -ArgumentList $ModulePath, $StatePath, $ids
    Watch-ClusterState -Count 2 -Timeout 30
    $job | Receive-Job -Wait -AutoRemoveJob
}
Show 'A self-contained HTML report: topology, utilization, tasks by status over types, replication health' {
    Export-ClusterReport -Path (Join-Path $StatePath '../demo-report.html') -Force -PassThru
}
Show 'Serve the state over Arrow Flight and use the same cmdlets through it (a filter evaluated by the server, a placement committed by it)' {
    $server = Start-ClusterStateServer -StatePath $StatePath
    try {
        $env:CLUSTERSTATE_SERVER_TOKEN = $server.Token
        $pending = Find-ClusterTask -StatePath $server.Uri -Status pending
        $placed = Invoke-ClusterTaskPlacement -StatePath $server.Uri -WarningAction SilentlyContinue
        [pscustomobject]@{
            Server            = $server.Uri
            PendingRemotely   = $pending.Count
            PlacedRemotely    = $placed.Count
            GenerationLocally = (Get-ClusterMetadata -StatePath $StatePath).Generation
        }
    }
    finally {
        $env:CLUSTERSTATE_SERVER_TOKEN = $null
        $server | Stop-ClusterStateServer
    }
}
Write-Host ''
Write-Host "The state is in $StatePath. Try: Import-Module $ModulePath; Connect-ClusterState $StatePath; Get-ClusterNode | Out-ConsoleGridView" -ForegroundColor Green
