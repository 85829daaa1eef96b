#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Whole-pipeline timings of cmdlets in one warm pwsh, each paired with the baseline an operator
    would otherwise use, measured in the same run. Writes docs/PERFORMANCE.md.
.DESCRIPTION
    Run through `build.ps1 Bench`. The state (1,000 nodes, 1,000,000 tasks, 100,000 content,
    seed 1) is generated once into out/bench and reused. Every case runs once to warm up, then
    -Runs times; the table gives medians, min and max, and the ratio of each baseline to its case.
#>
param(
    [string] $ModulePath = $env:CLUSTERSTATE_MODULE,
    [string] $StateRoot = (Join-Path $PSScriptRoot '../../out/bench'),
    [string] $OutFile = (Join-Path $PSScriptRoot '../../docs/PERFORMANCE.md'),
    [int] $Runs = 7,
    [int] $BaselineRuns = 3
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath

$state = Join-Path $StateRoot 'tasks-1m'
if (-not (Test-Path (Join-Path $state 'state_metadata.json'))) {
    Write-Host "Generating the benchmark state in $state ..."
    New-ClusterState -Path $state -NodeCount 1000 -TaskCount 1000000 -ContentCount 100000 -Seed 1 -Force | Out-Null
}
Connect-ClusterState -Path $state
$meta = Get-ClusterMetadata

function Measure-Case([string] $Name, [scriptblock] $Script, [int] $Count) {
    $null = & $Script   # warm-up: JIT, page cache, the snapshot cache
    $times = foreach ($i in 1..$Count) {
        [GC]::Collect(); [GC]::WaitForPendingFinalizers()
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $result = & $Script
        $sw.Stop()
        $sw.Elapsed.TotalMilliseconds
    }
    $sorted = @($times | Sort-Object)
    [pscustomobject]@{
        Name     = $Name
        MedianMs = $sorted[[int][math]::Floor(($sorted.Count - 1) / 2)]
        MinMs    = $sorted[0]
        MaxMs    = $sorted[-1]
        Runs     = $Count
        Result   = @($result).Count
    }
}

$pairs = @(
    @{
        Question = 'Failed tasks (about 1% of 1M)'
        Case     = { Find-ClusterTask -Status failed }
        CaseText = 'Find-ClusterTask -Status failed'
        Base     = { Get-ClusterTask | Where-Object Status -eq failed }
        BaseText = 'Get-ClusterTask | Where-Object Status -eq failed'
    }
    @{
        Question = 'Pending GPU tasks'
        Case     = { Find-ClusterTask -Status pending -MinGpuCores 1 }
        CaseText = 'Find-ClusterTask -Status pending -MinGpuCores 1'
        Base     = { Get-ClusterTask | Where-Object { $_.Status -eq 'pending' -and $_.GpuCores -ge 1 } }
        BaseText = "Get-ClusterTask | Where-Object { `$_.Status -eq 'pending' -and `$_.GpuCores -ge 1 }"
    }
    @{
        Question = 'One task by id'
        Case     = { Get-ClusterTask -Id 'task-*' -ErrorAction Ignore | Select-Object -First 0; Get-ClusterTask -Id $script:SomeTaskId }
        CaseText = 'Get-ClusterTask -Id <id>'
        Base     = { Get-ClusterTask | Where-Object Id -eq $script:SomeTaskId }
        BaseText = 'Get-ClusterTask | Where-Object Id -eq <id>'
    }
)
$script:SomeTaskId = (Get-ClusterTask -Id 'task-f*' | Select-Object -Last 1).Id
$pairs[2].Case = { Get-ClusterTask -Id $script:SomeTaskId }

$rows = foreach ($p in $pairs) {
    Write-Host "Measuring: $($p.Question)"
    $case = Measure-Case $p.CaseText $p.Case $Runs
    $base = Measure-Case $p.BaseText $p.Base $BaselineRuns
    if ($case.Result -ne $base.Result) { throw "$($p.Question): the cmdlet returned $($case.Result) objects, the baseline $($base.Result)." }
    [pscustomobject]@{ Question = $p.Question; Case = $case; Base = $base; Ratio = $base.MedianMs / $case.MedianMs }
}
$singles = @(
    Measure-Case 'Get-ClusterMetadata (open + counts)' { Get-ClusterMetadata } $Runs
    Measure-Case 'Get-ClusterStatus' { Get-ClusterStatus } $Runs
    Measure-Case 'Get-ClusterTaskMetric' { Get-ClusterTaskMetric } $Runs
    Measure-Case 'Get-ClusterContent -Orphaned' { Get-ClusterContent -Orphaned } $Runs
)

# --- Commits: latency of a single-task commit and a 10,000-task pipeline commit by state size ---
Disconnect-ClusterState
$commitStates = @(
    @{ Name = 'small'; Nodes = 100; Tasks = 10000; Content = 10000 }
    @{ Name = '100k-content'; Nodes = 1000; Tasks = 100000; Content = 100000 }
    @{ Name = '1m-content'; Nodes = 1000; Tasks = 100000; Content = 1000000 }
)
$commitRows = foreach ($cs in $commitStates) {
    $path = Join-Path $StateRoot "commit-$($cs.Name)"
    if (-not (Test-Path (Join-Path $path 'state_metadata.json'))) {
        Write-Host "Generating $path ..."
        New-ClusterState -Path $path -NodeCount $cs.Nodes -TaskCount $cs.Tasks -ContentCount $cs.Content -Seed 2 -Force | Out-Null
    }
    $ids = @((Get-ClusterTask -StatePath $path | Select-Object -First 10000).Id)
    $one = $ids[0]
    $script:toggle = 0
    $next = { $script:toggle = 1 - $script:toggle; 1024 * (1 + $script:toggle) }
    Write-Host "Measuring commits on $($cs.Name)"
    $single = Measure-Case 'single' { Set-ClusterTask -StatePath $path -Id $one -MemoryMB (& $next) } $Runs
    $engine = Measure-Case 'engine' {
        $change = [ClusterState.ChangeSet]::new()
        $change.UpdateTasks.Add([ClusterState.TaskUpdate]@{ Id = $one; MemoryMB = (& $next) })
        [ClusterState.StateStore]::Commit($path, $change, $null)
    } $Runs
    $noFsync = Measure-Case 'engine-nofsync' {
        $change = [ClusterState.ChangeSet]::new()
        $change.UpdateTasks.Add([ClusterState.TaskUpdate]@{ Id = $one; MemoryMB = (& $next) })
        [ClusterState.StateStore]::Commit($path, $change, [ClusterState.CommitOptions]@{ Durable = $false })
    } $Runs
    $batch = Measure-Case 'batch' { $ids | Set-ClusterTask -StatePath $path -MemoryMB (& $next) } $BaselineRuns
    $m = Get-ClusterMetadata -StatePath $path
    # The floor of any commit that rewrites the file: copying the snapshot, and copying it durably.
    $snapshotFile = Join-Path $path $m.Snapshot
    $copyTarget = Join-Path $StateRoot 'copy-floor.tmp'
    $copy = Measure-Case 'copy' { [IO.File]::Copy($snapshotFile, $copyTarget, $true) } $BaselineRuns
    $copySync = Measure-Case 'copy+fsync' {
        $in = [IO.File]::OpenRead($snapshotFile); $out = [IO.FileStream]::new($copyTarget, 'Create', 'Write', 'None', 1MB)
        $in.CopyTo($out); $out.Flush($true); $out.Dispose(); $in.Dispose()
    } $BaselineRuns
    Remove-Item $copyTarget -ErrorAction SilentlyContinue
    [pscustomobject]@{ State = $cs; Bytes = $m.SnapshotBytes; Single = $single; Engine = $engine; NoFsync = $noFsync; Batch = $batch; Copy = $copy; CopySync = $copySync }
}

$cpu = (Get-Content /proc/cpuinfo -ErrorAction SilentlyContinue | Where-Object { $_ -like 'model name*' } | Select-Object -First 1) -replace '^model name\s*:\s*', ''
$memGiB = [math]::Round(((Get-Content /proc/meminfo -TotalCount 1) -replace '\D', '') / 1MB, 1)
$machine = "$([Environment]::ProcessorCount) cores ($cpu), $memGiB GiB, $([System.Runtime.InteropServices.RuntimeInformation]::OSDescription), .NET $([Environment]::Version), PowerShell $($PSVersionTable.PSVersion)"
$f = { param($v) '{0:N1}' -f $v }

$md = [System.Text.StringBuilder]::new()
$null = $md.AppendLine('# Performance')
$null = $md.AppendLine()
$null = $md.AppendLine('Generated by `build.ps1 Bench` (tests/Benchmarks/Cmdlets.Bench.ps1); do not edit by hand.')
$null = $md.AppendLine()
$null = $md.AppendLine("* Date: $((Get-Date).ToUniversalTime().ToString('yyyy-MM-dd HH:mm')) UTC")
$null = $md.AppendLine("* Machine: $machine")
$null = $md.AppendLine("* State: $($meta.NodeCount) nodes, $($meta.TaskCount) tasks, $($meta.ContentCount) content, snapshot $([math]::Round($meta.SnapshotBytes / 1MB)) MiB (seed 1)")
$null = $md.AppendLine("* Method: one warm pwsh, module imported and state connected; each command once to warm up, then $Runs runs (baselines $BaselineRuns); wall time of the whole pipeline including object emission. Medians, with min–max.")
$null = $md.AppendLine()
$null = $md.AppendLine('## Pushed-down filters against Where-Object over every object')
$null = $md.AppendLine()
$null = $md.AppendLine('| Question | Cmdlet (filter on Arrow columns) | median ms (min–max) | Baseline | median ms (min–max) | Baseline / cmdlet | Objects |')
$null = $md.AppendLine('|---|---|---|---|---|---|---|')
foreach ($r in $rows) {
    $null = $md.AppendLine("| $($r.Question) | ``$($r.Case.Name)`` | $(& $f $r.Case.MedianMs) ($(& $f $r.Case.MinMs)–$(& $f $r.Case.MaxMs)) | ``$($r.Base.Name -replace '\|', '\|')`` | $(& $f $r.Base.MedianMs) ($(& $f $r.Base.MinMs)–$(& $f $r.Base.MaxMs)) | **$('{0:N0}' -f $r.Ratio)×** | $($r.Case.Result) |")
}
$null = $md.AppendLine()
$null = $md.AppendLine('## Summaries over the columns')
$null = $md.AppendLine()
$null = $md.AppendLine('| Command | median ms (min–max) |')
$null = $md.AppendLine('|---|---|')
foreach ($s in $singles) { $null = $md.AppendLine("| ``$($s.Name)`` | $(& $f $s.MedianMs) ($(& $f $s.MinMs)–$(& $f $s.MaxMs)) |") }
$null = $md.AppendLine()
$null = $md.AppendLine('## Commits')
$null = $md.AppendLine()
$null = $md.AppendLine('Each commit writes a complete new snapshot (DESIGN.md §5): unchanged entity columns are carried over as bytes, changed fields rebuilt, the file flushed to disk (fsync) before the metadata is switched. Single: `Set-ClusterTask -Id <id> -MemoryMB <n>` in a warm pwsh; engine: `StateStore.Commit` of the same change; without fsync: the same with `Durable = $false`, to show the share of the flush; batch: 10,000 ids piped into one `Set-ClusterTask` (one commit).')
$null = $md.AppendLine()
$null = $md.AppendLine('Baselines of the same run: `File.Copy` of the snapshot file (the floor of writing it anew) and the same copy flushed with fsync (the floor of writing it durably).')
$null = $md.AppendLine()
$null = $md.AppendLine('| State (nodes / tasks / content) | Snapshot MiB | Single-task commit, cmdlet | Engine commit | Engine, no fsync | 10,000-task pipeline commit | File.Copy of the snapshot | Copy + fsync |')
$null = $md.AppendLine('|---|---|---|---|---|---|---|---|')
foreach ($c in $commitRows) {
    $st = $c.State
    $null = $md.AppendLine("| $('{0:N0} / {1:N0} / {2:N0}' -f $st.Nodes, $st.Tasks, $st.Content) | $([math]::Round($c.Bytes / 1MB)) | $(& $f $c.Single.MedianMs) ($(& $f $c.Single.MinMs)–$(& $f $c.Single.MaxMs)) | $(& $f $c.Engine.MedianMs) | $(& $f $c.NoFsync.MedianMs) | $(& $f $c.Batch.MedianMs) ($(& $f $c.Batch.MinMs)–$(& $f $c.Batch.MaxMs)) | $(& $f $c.Copy.MedianMs) | $(& $f $c.CopySync.MedianMs) |")
}
$null = $md.AppendLine()
Set-Content -Path $OutFile -Value $md.ToString() -NoNewline
Write-Host $md.ToString()
