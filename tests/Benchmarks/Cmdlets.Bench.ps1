#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Whole-pipeline timings of cmdlets in one warm pwsh, each paired with the baseline an operator
    would otherwise use, measured in the same run, and the commit timings of Commits.ps1 (which
    `build.ps1 BenchCommit` repeats alone, saved in out/bench/commits.clixml); merges the engine results of the
    BenchmarkDotNet project (out/bench/engine.json, with its commit log section rendered by
    CommitLog.Report.ps1) and writes docs/PERFORMANCE.md and docs/performance.svg.
.DESCRIPTION
    Run through `build.ps1 Bench`, which first runs tests/ClusterState.Benchmarks (it generates the
    seeded states under out/bench and measures the engine, DuckDB, ArrowFileReader, checkpoints
    and memory). Every cmdlet case here runs once to warm up, then -Runs times; the tables give
    medians, min and max, and the ratio of each baseline to its case.
#>
param(
    [string] $ModulePath = $env:CLUSTERSTATE_MODULE,
    [string] $StateRoot = (Join-Path $PSScriptRoot '../../out/bench'),
    [string] $EngineResults = (Join-Path $PSScriptRoot '../../out/bench/engine.json'),
    [string] $OutFile = (Join-Path $PSScriptRoot '../../docs/PERFORMANCE.md'),
    [string] $ChartFile = (Join-Path $PSScriptRoot '../../docs/performance.svg'),
    [int] $Runs = 7,
    [int] $BaselineRuns = 3,
    # Regenerate the document from the measurements saved by the last run (no timing).
    [switch] $ReportOnly
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath
$engine = Get-Content $EngineResults -Raw | ConvertFrom-Json

$saved = Join-Path $StateRoot 'cmdlets.clixml'
. (Join-Path $PSScriptRoot 'Measure.ps1')
. (Join-Path $PSScriptRoot 'Commits.ps1')
. (Join-Path $PSScriptRoot 'Document.ps1')
$state = Join-Path $StateRoot 'scale-large'
if (-not (Test-Path (Join-Path $state 'state_metadata.json'))) { throw "Run tests/ClusterState.Benchmarks first: it generates $state." }

if ($ReportOnly) {
    $m = Import-Clixml $saved
    $meta = $m.Meta; $rows = $m.Rows; $emit = $m.Emit; $floor = $m.Floor; $singles = $m.Singles
    $commitRows = Import-CommitRows $StateRoot
}
else {
Connect-ClusterState -Path $state
$meta = Get-ClusterMetadata

# --- Cmdlets against Where-Object and against the JSON export ---
$json = Join-Path $StateRoot 'scale-large.json'
if (-not (Test-Path $json)) { Export-ClusterState -Path $json -Format Json -Force }
$script:SomeTaskId = (Get-ClusterTask -Id 'task-f*' | Select-Object -Last 1).Id
$pairs = @(
    @{
        Question = 'Failed tasks (about 1% of 1M)'
        Case     = { Find-ClusterTask -Status failed }
        CaseText = 'Find-ClusterTask -Status failed'
        Bases    = @(
            @{ Text = 'Get-ClusterTask | Where-Object Status -eq failed'; Script = { Get-ClusterTask | Where-Object Status -eq failed }; Runs = $BaselineRuns }
            @{ Text = '(Get-Content state.json -Raw | ConvertFrom-Json).tasks | Where-Object status -eq failed'; Script = { (Get-Content $json -Raw | ConvertFrom-Json).tasks | Where-Object status -eq failed }; Runs = 1 }
        )
    }
    @{
        Question = 'Pending GPU tasks'
        Case     = { Find-ClusterTask -Status pending -MinGpuCores 1 }
        CaseText = 'Find-ClusterTask -Status pending -MinGpuCores 1'
        Bases    = @(@{ Text = "Get-ClusterTask | Where-Object { `$_.Status -eq 'pending' -and `$_.GpuCores -ge 1 }"; Script = { Get-ClusterTask | Where-Object { $_.Status -eq 'pending' -and $_.GpuCores -ge 1 } }; Runs = $BaselineRuns })
    }
    @{
        Question = 'One task by id'
        Case     = { Get-ClusterTask -Id $script:SomeTaskId }
        CaseText = 'Get-ClusterTask -Id <id>'
        Bases    = @(@{ Text = 'Get-ClusterTask | Where-Object Id -eq <id>'; Script = { Get-ClusterTask | Where-Object Id -eq $script:SomeTaskId }; Runs = $BaselineRuns })
    }
)
$rows = foreach ($p in $pairs) {
    Write-Host "Measuring: $($p.Question)"
    $case = Measure-Case $p.CaseText $p.Case $Runs
    foreach ($b in $p.Bases) {
        $base = Measure-Case $b.Text $b.Script $b.Runs
        if ($case.Result -ne $base.Result) { throw "$($p.Question): the cmdlet returned $($case.Result) objects, '$($b.Text)' $($base.Result)." }
        [pscustomobject]@{ Question = $p.Question; Case = $case; Base = $base; Ratio = $base.MedianMs / $case.MedianMs }
    }
}

# --- Emitting every task against the pipeline's own floor ---
Write-Host 'Measuring: emission of 1M objects'
$trivial = [object[]]::new($meta.TaskCount)
for ($i = 0; $i -lt $trivial.Length; $i++) { $trivial[$i] = [object]::new() }
$emit = Measure-Case '(Get-ClusterTask).Count' { (Get-ClusterTask).Count } $Runs
$floor = Measure-Case '(Write-Output -InputObject $oneMillionObjects).Count' { (Write-Output -InputObject $trivial).Count } $Runs
$trivial = $null

$singles = @(
    Measure-Case 'Get-ClusterMetadata (open + counts)' { Get-ClusterMetadata } $Runs
    Measure-Case 'Get-ClusterStatus' { Get-ClusterStatus } $Runs
    Measure-Case 'Get-ClusterTaskMetric' { Get-ClusterTaskMetric } $Runs
    Measure-Case 'Get-ClusterContent -Orphaned' { Get-ClusterContent -Orphaned } $Runs
)

# --- Commits: single-task, 10,000-task pipeline and 1,000-iteration loop by state size (Commits.ps1, as build.ps1 BenchCommit) ---
Disconnect-ClusterState
$commitRows = @(Measure-Commits -StateRoot $StateRoot -Scales $CommitScaleOrder -Runs $Runs -BaselineRuns $BaselineRuns -LoopRuns $BaselineRuns)
Export-Clixml -InputObject $commitRows -Path (Join-Path $StateRoot 'commits.clixml') -Depth 6

[pscustomobject]@{ Meta = $meta; Rows = $rows; Emit = $emit; Floor = $floor; Singles = $singles } | Export-Clixml -Path $saved -Depth 6
}

# --- The document ---
$cpu = (Get-Content /proc/cpuinfo -ErrorAction SilentlyContinue | Where-Object { $_ -like 'model name*' } | Select-Object -First 1) -replace '^model name\s*:\s*', ''
$memGiB = [math]::Round(((Get-Content /proc/meminfo -TotalCount 1) -replace '\D', '') / 1MB, 1)
$machine = "$([Environment]::ProcessorCount) cores ($cpu), $memGiB GiB, $([System.Runtime.InteropServices.RuntimeInformation]::OSDescription), .NET $([Environment]::Version), PowerShell $($PSVersionTable.PSVersion)"
$range = { param($c) "$(& $f $c.MedianMs) ($(& $f $c.MinMs)–$(& $f $c.MaxMs))" }
function Engine([string] $Method, [string] $Scale) {
    $r = $engine.Results | Where-Object { $_.Benchmark -like "*.$Method" -and $_.Scale -eq $Scale }
    if (-not $r) { throw "engine.json has no result for $Method at $Scale." }
    [pscustomobject]@{ MedianMs = $r.MedianNs / 1e6; MinMs = $r.MinNs / 1e6; MaxMs = $r.MaxNs / 1e6 }
}
$scaleText = @{}
foreach ($s in $engine.Scales) { $scaleText[$s.Name] = '{0} ({1:N0} / {2:N0} / {3:N0}, {4:N0} MiB)' -f $s.Name, $s.Nodes, $s.Tasks, $s.Content, ($s.SnapshotBytes / 1MB) }

$scan = Engine 'Engine' 'large'
$duckFlat = Engine 'DuckDbFlat' 'large'
$duckNested = Engine 'DuckDbNested' 'large'
$openTiny = Engine 'Open' 'tiny'
$openLarge = Engine 'Open' 'large'
$summary = Engine 'Summary' 'large'
$failed = $rows | Where-Object { $_.Question -like 'Failed*' }
$whereFailed = $failed | Where-Object { $_.Base.Name -like 'Get-ClusterTask*' }
$jsonFailed = $failed | Where-Object { $_.Base.Name -like '*ConvertFrom-Json*' }
$mem = $engine.Memory
$cpLarge = $engine.Checkpoints | Where-Object Scale -eq 'large'
$remotePath = Join-Path $StateRoot 'remote.clixml'
$remote = if (Test-Path $remotePath) { Import-Clixml $remotePath }
. (Join-Path $PSScriptRoot 'CommitLog.Report.ps1')
$commitLog = if ($engine.PSObject.Properties['Log']) { @($engine.Log) }
$goals = @(
    [pscustomobject]@{ Goal = 'Open any state warm < 1 ms'; Measured = "$(& $f $openLarge.MedianMs) ms (large)"; Met = $openLarge.MedianMs -lt 1 }
    [pscustomobject]@{ Goal = '1M-task open within 1.5× of 1k-task open'; Measured = ('{0:N2}×' -f ($openLarge.MedianMs / $openTiny.MedianMs)); Met = ($openLarge.MedianMs / $openTiny.MedianMs) -le 1.5 }
    [pscustomobject]@{ Goal = "Scan status = 'pending' over 1M tasks < 3 ms warm"; Measured = "$(& $f $scan.MedianMs) ms"; Met = $scan.MedianMs -lt 3 }
    [pscustomobject]@{ Goal = '… ≥ 2× faster than DuckDB on flat Parquet'; Measured = ('{0:N1}×' -f ($duckFlat.MedianMs / $scan.MedianMs)); Met = ($duckFlat.MedianMs / $scan.MedianMs) -ge 2 }
    [pscustomobject]@{ Goal = '… ≥ 300× faster than DuckDB on the nested file'; Measured = ('{0:N0}×' -f ($duckNested.MedianMs / $scan.MedianMs)); Met = ($duckNested.MedianMs / $scan.MedianMs) -ge 300 }
    [pscustomobject]@{ Goal = 'Summary (Get-ClusterStatus engine) < 50 ms'; Measured = "$(& $f $summary.MedianMs) ms"; Met = $summary.MedianMs -lt 50 }
    [pscustomobject]@{ Goal = 'Find-ClusterTask -Status failed in warm pwsh < 100 ms'; Measured = "$(& $f $failed[0].Case.MedianMs) ms"; Met = $failed[0].Case.MedianMs -lt 100 }
    [pscustomobject]@{ Goal = '… ≥ 20× faster than Where-Object'; Measured = ('{0:N0}×' -f $whereFailed.Ratio); Met = $whereFailed.Ratio -ge 20 }
    [pscustomobject]@{ Goal = '… ≥ 100× faster than ConvertFrom-Json + Where-Object'; Measured = ('{0:N0}×' -f $jsonFailed.Ratio); Met = $jsonFailed.Ratio -ge 100 }
    [pscustomobject]@{ Goal = '(Get-ClusterTask).Count within 2× of emitting 1M trivial objects'; Measured = ('{0:N2}×' -f ($emit.MedianMs / $floor.MedianMs)); Met = ($emit.MedianMs / $floor.MedianMs) -le 2 }
    [pscustomobject]@{ Goal = 'Open + scan adds no anonymous memory proportional to the state'; Measured = ('+{0:N1} MiB anonymous for a {1:N0} MiB snapshot' -f ($mem.AnonKiB / 1KB), ($mem.SnapshotBytes / 1MB)); Met = ($mem.AnonKiB * 1KB) -lt 0.05 * $mem.SnapshotBytes }
    [pscustomobject]@{ Goal = 'Checkpoint of 1M tasks < 5 s (issue 5)'; Measured = ('{0:N2} s' -f ($cpLarge.MedianMs / 1000)); Met = $cpLarge.MedianMs -lt 5000 }
    if ($remote) {
        [pscustomobject]@{ Goal = 'Remote: 1M tasks streamed in chunks < 2.5 s (issue 8)'; Measured = ('{0:N2} s in {1} chunks' -f ($remote.Transfer.MedianMs / 1000), $remote.Chunks); Met = $remote.Transfer.MedianMs -lt 2500 }
        [pscustomobject]@{ Goal = '… with little memory: server and client grow < 10% of the state'
            Measured = ('server +{0:N0} MiB, client +{1:N0} MiB at the peak ({2:N0} MiB snapshot)' -f ($remote.Memory.ServerTransfer.PeakMiB - $remote.Memory.ServerTransfer.BeforeMiB), ($remote.Memory.ClientTransfer.PeakMiB - $remote.Memory.ClientTransfer.BeforeMiB), $remote.SnapshotMiB)
            Met = [math]::Max($remote.Memory.ServerTransfer.PeakMiB - $remote.Memory.ServerTransfer.BeforeMiB, $remote.Memory.ClientTransfer.PeakMiB - $remote.Memory.ClientTransfer.BeforeMiB) -lt 0.1 * $remote.SnapshotMiB }
    }
    Get-CommitLogGoal $commitLog
    Get-CommitsGoal $commitRows
)

$md = [System.Text.StringBuilder]::new()
Line '# Performance'
Line
Line 'Generated by `build.ps1 Bench` (tests/ClusterState.Benchmarks with BenchmarkDotNet, then tests/Benchmarks/Cmdlets.Bench.ps1); do not edit by hand.'
Line
Line "* Date: $((Get-Date).ToUniversalTime().ToString('yyyy-MM-dd HH:mm')) UTC (engine run $($engine.Date) UTC)"
Line "* Machine: $machine"
Line "* Scales (nodes / tasks / content, snapshot size), seed 1: $(($engine.Scales | ForEach-Object { $scaleText[$_.Name] }) -join '; ')"
Line '* Engine figures: BenchmarkDotNet medians (in-process, 3 warm-ups, 10 iterations). Cmdlet figures: one warm pwsh, module imported and state connected; each command once to warm up, then 7 runs (baselines 3, the JSON form 1); wall time of the whole pipeline including object emission. Medians, with min–max.'
Line
Line '![Medians by question and tool, log scale](performance.svg)'
Line
Line '## Goals (large scale unless stated)'
Line
Line '| Goal | Measured | Met |'
Line '|---|---|---|'
foreach ($g in $goals) { Line "| $($g.Goal) | $($g.Measured) | $(if ($g.Met) { 'yes' } else { '**no**' }) |" }
Line
Line "## Engine: one question, every tool (BenchmarkDotNet)"
Line
Line "How many tasks are pending? The engine filters the mapped status column; DuckDB reads our flat Parquet export (tasks.parquet, 65,536-row groups) and the nested one-row file (the checkpoint layout, unnested); ArrowFileReader copies the whole snapshot into managed memory before a plain loop."
Line
Line '| Scale | Engine ms | DuckDB flat ms | DuckDB nested ms | ArrowFileReader ms | DuckDB flat / engine | DuckDB nested / engine | ArrowFileReader / engine | Get-ClusterStatus engine ms |'
Line '|---|---|---|---|---|---|---|---|---|'
foreach ($name in 'small', 'reference', 'large') {
    $e = Engine 'Engine' $name; $df = Engine 'DuckDbFlat' $name; $dn = Engine 'DuckDbNested' $name; $ar = Engine 'ArrowFileReaderCopy' $name; $su = Engine 'Summary' $name
    Line "| $($scaleText[$name]) | $(& $range $e) | $(& $range $df) | $(& $range $dn) | $(& $range $ar) | **$('{0:N1}' -f ($df.MedianMs / $e.MedianMs))×** | **$('{0:N0}' -f ($dn.MedianMs / $e.MedianMs))×** | $('{0:N0}' -f ($ar.MedianMs / $e.MedianMs))× | $(& $f $su.MedianMs) |"
}
Line
Line '| Warm open (`ClusterSnapshot.Open`: metadata read, stat, cached mapping) | median µs |'
Line '|---|---|'
foreach ($name in 'tiny', 'small', 'reference', 'large') { $o = Engine 'Open' $name; Line "| $($scaleText[$name]) | $('{0:N1}' -f ($o.MedianMs * 1000)) |" }
Line
Line ('Memory: opening the large state and scanning it (status filter + summary) added {0:N1} MiB of anonymous memory and {1:N1} MiB of file-backed pages (the columns touched, shared with the page cache) for a {2:N0} MiB snapshot.' -f ($mem.AnonKiB / 1KB), ($mem.FileKiB / 1KB), ($mem.SnapshotBytes / 1MB))
Line
Line '## Cmdlets against what an operator would otherwise type (large state)'
Line
Line '| Question | Cmdlet (filter on Arrow columns) | median ms (min–max) | Baseline | median ms (min–max) | Baseline / cmdlet | Objects |'
Line '|---|---|---|---|---|---|---|'
foreach ($r in $rows) {
    Line "| $($r.Question) | ``$($r.Case.Name)`` | $(& $range $r.Case) | ``$($r.Base.Name -replace '\|', '\|')`` | $(& $range $r.Base) | **$('{0:N0}' -f $r.Ratio)×** | $($r.Case.Result) |"
}
Line
Line "Emitting every task: ``$($emit.Name)`` $(& $range $emit) ms against ``$($floor.Name)`` $(& $range $floor) ms, the pipeline's own floor for $('{0:N0}' -f $meta.TaskCount) objects: **$('{0:N2}' -f ($emit.MedianMs / $floor.MedianMs))×**. Row objects are lazy: each reads its columns the first time a property is used."
Line
Line '| Command | median ms (min–max) |'
Line '|---|---|'
foreach ($s in $singles) { Line "| ``$($s.Name)`` | $(& $range $s) |" }
Line
Line '## Checkpoints'
Line
Line '`Checkpoints.Save` (what `Save-ClusterStateCheckpoint` runs): the nested one-row Parquet file written column by column from the Arrow buffers with Parquet.Net (Snappy), disk write-back started while it encodes, fsync, the latest-checkpoint hard link and the metadata update; median of three. Flat export: the three per-entity files of `Export-ClusterState -Format Parquet`. Read back: Parquet.Net reading the checkpoint into objects (what `Restore-ClusterState` and `Import-ClusterState` do first). Baseline of the same run, not used by the module: the native Arrow C++ writer (ParquetSharp 25.0.1.2) writing the same nested batch from the mapped snapshot, Snappy without dictionary (with dictionary it was slower than ours), fsync; median of three (`build.ps1 BenchCheckpoint` repeats only these).'
Line
Line '| Scale | Checkpoint s (min–max) | File MiB | Snapshot MiB | Flat export s | Read back s | Native baseline s | Native MiB | Ours / native |'
Line '|---|---|---|---|---|---|---|---|---|'
foreach ($c in $engine.Checkpoints) {
    $snap = ($engine.Scales | Where-Object Name -eq $c.Scale).SnapshotBytes
    $native = if ($c.PSObject.Properties['NativeMs']) { '{0:N2} | {1:N0} | {2:N2}×' -f ($c.NativeMs / 1000), ($c.NativeSizeBytes / 1MB), ($c.MedianMs / $c.NativeMs) } else { '– | – | –' }
    Line ("| {0} | {1:N2} ({2:N2}–{3:N2}) | {4:N0} | {5:N0} | {6:N2} | {7:N2} | {8} |" -f $scaleText[$c.Scale], ($c.MedianMs / 1000), ($c.MinMs / 1000), ($c.MaxMs / 1000), ($c.SizeBytes / 1MB), ($snap / 1MB), ($c.FlatExportMs / 1000), ($c.ReadBackMs / 1000), $native)
}
Line
Write-CommitsSection $commitRows
Write-CommitLogSection $commitLog
if ($remote) {
    $mm = $remote.Memory
    $grow = { param($m) '{0:+#,0;-#,0;0} (peak {1:+#,0;-#,0;0})' -f ($m.AfterMiB - $m.BeforeMiB), ($m.PeakMiB - $m.BeforeMiB) }
    Line '## Remote: the state over Arrow Flight (issue 8)'
    Line
    Line "A ClusterState server (``Start-ClusterStateServer``, its own process) on the large state, and one warm pwsh as its client over loopback gRPC (h2c), run $($remote.Date) UTC. Each remote case is paired with the same command on the state directory in the same run. Filters travel as the cmdlets' query objects and are evaluated by the server on its mapped columns; only matching rows come back, as Arrow record batches. Reads that need the whole state fetch the four flights of the current generation once and map them from a private cache file until the next commit."
    Line
    Line '| Question | Remote | median ms (min–max) | Local | median ms (min–max) | Remote / local | Rows |'
    Line '|---|---|---|---|---|---|---|'
    Line "| Round trip of a small query | ``Get-ClusterNode -Id <id>`` via the server | $(& $range $remote.Small.Case) | state directory | $(& $range $remote.Small.Base) | $('{0:N1}' -f ($remote.Small.Case.MedianMs / $remote.Small.Base.MedianMs))× | $($remote.Small.Case.Result) |"
    Line "| Failed tasks of 1M, server-side filter | ``Find-ClusterTask -Status failed`` (no cached copy) | $(& $range $remote.Pushed) | state directory | $(& $range $remote.LocalFailed) | $('{0:N1}' -f ($remote.Pushed.MedianMs / $remote.LocalFailed.MedianMs))× | $($remote.Pushed.Result) |"
    Line "| Failed tasks of 1M, cached generation | ``Find-ClusterTask -Status failed`` (metadata round trip + local scan) | $(& $range $remote.Cached) | state directory | $(& $range $remote.LocalFailed) | $('{0:N1}' -f ($remote.Cached.MedianMs / $remote.LocalFailed.MedianMs))× | $($remote.Cached.Result) |"
    Line
    Line '| Transfer | median ms (min–max) | Rows |'
    Line '|---|---|---|'
    Line "| One metadata round trip (``metadata`` action) | $(& $range $remote.MetadataTrip) | |"
    Line "| ``DoGet tasks``: every task, $($remote.ChunkRows)-row chunks ($($remote.Chunks) chunks), Flight client | $(& $range $remote.Transfer) | $('{0:N0}' -f $remote.Transfer.Result) |"
    Line "| First read of the whole state: header + nodes + tasks + content flights, assembled and cached as an Arrow file | $(& $range $remote.Full) | $('{0:N0}' -f $remote.Full.Result) tasks |"
    Line
    Line '| Resident memory, MiB | Server: after (peak) | Client: after (peak) |'
    Line '|---|---|---|'
    Line "| Streaming the tasks flight | $(& $grow $mm.ServerTransfer) | $(& $grow $mm.ClientTransfer) |"
    Line "| First read of the whole state | $(& $grow $mm.ServerFull) | $(& $grow $mm.ClientFull) |"
    Line
    Line ('The server sends zero-copy slices of its mapped columns, so it grows by its gRPC buffers only; a streaming client holds one chunk at a time. The first whole-state read holds every chunk and their concatenation while it writes the cache file: at the peak the client held {0:N0} MiB more for a {1:N0} MiB state, and {2:+#,0;-#,0;0} MiB once the file was written; the next reads of that generation map the file, and queries answered by the server never need it.' -f ($mm.ClientFull.PeakMiB - $mm.ClientFull.BeforeMiB), $remote.SnapshotMiB, ($mm.ClientFull.AfterMiB - $mm.ClientFull.BeforeMiB))
    Line
}
Set-Content -Path $OutFile -Value $md.ToString() -NoNewline

# --- The chart: medians of each question by tool, on a log scale ---
$bars = @(
    @{ Group = "Pending tasks, 1M (engine)"; Label = 'ClusterState engine'; Ms = $scan.MedianMs; Ours = $true }
    @{ Group = "Pending tasks, 1M (engine)"; Label = 'DuckDB, flat Parquet'; Ms = $duckFlat.MedianMs }
    @{ Group = "Pending tasks, 1M (engine)"; Label = 'DuckDB, nested Parquet'; Ms = $duckNested.MedianMs }
    @{ Group = "Pending tasks, 1M (engine)"; Label = 'ArrowFileReader (copy)'; Ms = (Engine 'ArrowFileReaderCopy' 'large').MedianMs }
    @{ Group = 'Failed tasks in pwsh'; Label = 'Find-ClusterTask'; Ms = $failed[0].Case.MedianMs; Ours = $true }
    @{ Group = 'Failed tasks in pwsh'; Label = 'Get-ClusterTask | Where-Object'; Ms = $whereFailed.Base.MedianMs }
    @{ Group = 'Failed tasks in pwsh'; Label = 'ConvertFrom-Json | Where-Object'; Ms = $jsonFailed.Base.MedianMs }
)
$width = 820; $left = 250; $barHeight = 22; $gap = 6; $top = 40
$maxLog = [math]::Ceiling([math]::Log10(($bars | ForEach-Object { $_.Ms } | Measure-Object -Maximum).Maximum))
$minLog = [math]::Floor([math]::Log10(($bars | ForEach-Object { $_.Ms } | Measure-Object -Minimum).Minimum))
$scaleX = { param($ms) ($width - $left - 90) * ([math]::Log10($ms) - $minLog) / ($maxLog - $minLog) }
$svg = [System.Text.StringBuilder]::new()
$groups = @($bars | ForEach-Object { $_.Group } | Select-Object -Unique)
$height = $top + ($bars.Count * ($barHeight + $gap)) + ($groups.Count * 24) + 30
$null = $svg.AppendLine("<svg xmlns=`"http://www.w3.org/2000/svg`" width=`"$width`" height=`"$height`" font-family=`"sans-serif`" font-size=`"12`">")
$null = $svg.AppendLine("<text x=`"10`" y=`"20`" font-size=`"14`" font-weight=`"bold`">Median time, ms (log scale) — $($engine.Date) UTC, $([Environment]::ProcessorCount) cores</text>")
$y = $top
foreach ($g in $groups) {
    $null = $svg.AppendLine("<text x=`"10`" y=`"$($y + 14)`" font-weight=`"bold`">$([Security.SecurityElement]::Escape($g))</text>")
    $y += 24
    foreach ($b in $bars | Where-Object { $_.Group -eq $g }) {
        $w = [math]::Max(2, (& $scaleX $b.Ms))
        $color = if ($b.Ours) { '#2b7bb9' } else { '#b0b0b0' }
        $null = $svg.AppendLine("<text x=`"$($left - 8)`" y=`"$($y + 15)`" text-anchor=`"end`">$([Security.SecurityElement]::Escape($b.Label))</text>")
        $null = $svg.AppendLine("<rect x=`"$left`" y=`"$y`" width=`"$('{0:F1}' -f $w)`" height=`"$barHeight`" fill=`"$color`"/>")
        $null = $svg.AppendLine("<text x=`"$('{0:F1}' -f ($left + $w + 6))`" y=`"$($y + 15)`">$(& $f $b.Ms)</text>")
        $y += $barHeight + $gap
    }
}
$null = $svg.AppendLine('</svg>')
Set-Content -Path $ChartFile -Value $svg.ToString() -NoNewline
Write-Host $md.ToString()
