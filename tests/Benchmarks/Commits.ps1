# Commit cost by state size (issue 15), measured in one warm pwsh on a copy of each seeded bench
# state (out/bench/scale-<name>): a single-task commit (cmdlet and engine), a 10,000-task
# pipeline commit and a 1,000-iteration script loop, with baselines of the same run. Dot-sourced
# by Cmdlets.Bench.ps1 (the commit part of the full `build.ps1 Bench`, and the "## Commits"
# section when it writes the document) and by Commits.Bench.ps1 (`build.ps1 BenchCommit`).
# Measure-Case comes from Measure.ps1; the report functions use the caller's Line and $f.

# The bench scales in order (tests/ClusterState.Benchmarks/Scales.cs).
$script:CommitScaleOrder = @('tiny', 'small', 'reference', 'large')

function Copy-CommitBenchState([string] $Source, [string] $Target) {
    # The seeded state's metadata, base and log (not its checkpoints), compacted: the commits
    # below go to the copy, so the shared state every other benchmark reads stays as it was.
    [ClusterState.ClusterSnapshot]::ClearCache()
    if (Test-Path $Target) { Remove-Item -Recurse -Force $Target }
    New-Item -ItemType Directory -Force $Target | Out-Null
    $meta = [ClusterState.StateMetadata]::Read($Source)
    foreach ($file in $meta.Snapshot, $meta.Log, $meta.LogSummary) {
        if ($file) { Copy-Item (Join-Path $Source $file) (Join-Path $Target $file) }
    }
    # The checkpoint the metadata names stays with the shared state.
    $meta.ParquetPath = $null
    $meta.CheckpointGeneration = $null
    $meta.CheckpointAt = $null
    $meta.CheckpointPolicy = $null
    [IO.File]::WriteAllText((Join-Path $Target 'state_metadata.json'), $meta.ToString())
    if ($meta.Log) { $null = [ClusterState.StateStore]::Compact($Target); [ClusterState.StateStore]::WaitForCleanup() }
}

function Measure-CommitScale {
    # Every commit case on a fresh copy of out/bench/scale-<Scale> (out/bench/commits-<Scale>,
    # deleted afterwards), with the state connected as an operator's session would have it.
    param(
        [Parameter(Mandatory)][string] $StateRoot,
        [Parameter(Mandatory)][string] $Scale,
        [int] $Runs = 7,
        [int] $BaselineRuns = 3,
        [int] $LoopRuns = 3,
        [int] $LoopIterations = 1000,
        [int] $BatchSize = 10000,
        [int] $BatchWarmUp = 15,
        # The single-task cases run this often before they are timed: with one warm-up the seven
        # runs met the commit path still compiled at tier 0 (3 to 5 ms for the engine's 0.7 ms).
        [int] $SingleWarmUp = 40
    )
    $source = Join-Path $StateRoot "scale-$Scale"
    if (-not (Test-Path (Join-Path $source 'state_metadata.json'))) { throw "$source is missing: run build.ps1 Bench first (tests/ClusterState.Benchmarks generates the scales)." }
    $statePath = Join-Path $StateRoot "commits-$Scale"
    Write-Host "Commits on $Scale`: copying $source to $statePath"
    Copy-CommitBenchState $source $statePath
    Connect-ClusterState -Path $statePath
    try {
        $batchIds = @((Get-ClusterTask | Select-Object -First $BatchSize).Id)
        $loopIds = @($batchIds | Select-Object -First $LoopIterations)
        $one = $batchIds[0]
        # Every commit changes the value, so none of them is a no-op.
        $flip = @{ Value = 0 }
        $next = { $flip.Value = 1 - $flip.Value; 1024 * (1 + $flip.Value) }
        # Before each run of a loop (untimed): the log folded into a new base, as a state an
        # operator's script meets is (compaction runs in the background past its thresholds).
        $compact = { $null = [ClusterState.StateStore]::Compact($statePath); [ClusterState.StateStore]::WaitForCleanup() }

        Write-Host "Commits on $Scale`: single task (cmdlet, engine, engine without fsync)"
        $single = Measure-Case 'Set-ClusterTask -Id <id> -MemoryMB <n>' { Set-ClusterTask -Id $one -MemoryMB (& $next) } $Runs -WarmUp $SingleWarmUp
        $engineCommit = Measure-Case 'StateStore.Commit' {
            $change = [ClusterState.ChangeSet]::new()
            $change.UpdateTasks.Add([ClusterState.TaskUpdate]@{ Id = $one; MemoryMB = (& $next) })
            [ClusterState.StateStore]::Commit($statePath, $change, $null)
        } $Runs -WarmUp $SingleWarmUp
        $noFsync = Measure-Case 'StateStore.Commit, Durable = $false' {
            $change = [ClusterState.ChangeSet]::new()
            $change.UpdateTasks.Add([ClusterState.TaskUpdate]@{ Id = $one; MemoryMB = (& $next) })
            [ClusterState.StateStore]::Commit($statePath, $change, [ClusterState.CommitOptions]@{ Durable = $false })
        } $Runs -WarmUp $SingleWarmUp
        Write-Host "Commits on $Scale`: $($batchIds.Count)-task pipeline commit"
        # Warm means run before: the first pipelines of a session run while .NET still compiles
        # PowerShell's binder and the commit path to optimised code (tiered JIT, a few seconds of
        # work on two cores), at two to four times the steady cost; those runs are reported beside it.
        # A 10,000-task record takes about 4.5 MiB of log: every fourteenth pipeline or so starts a
        # compaction in the background (DESIGN.md §5), which rewrites the whole base on the second
        # core for seconds; each run waits (untimed) until the one a previous run started is done,
        # so that it measures the commit, not the share of the machine a compaction leaves it.
        $settle = { [ClusterState.StateStore]::WaitForCompaction() }
        $batch = Measure-Case '$ids | Set-ClusterTask -MemoryMB <n>' { $batchIds | Set-ClusterTask -MemoryMB (& $next) } $Runs -WarmUp $BatchWarmUp -Before $settle

        # The script loop of issue 15, wall time of the whole loop; its baseline: the same loop
        # of a read-only cmdlet, so what the commits add to the loop's own cost is visible.
        Write-Host "Commits on $Scale`: $($loopIds.Count)-iteration loop of Set-ClusterTask, then of Get-ClusterTask"
        $loopValue = @{ Value = 777 }
        $loop = Measure-Case 'foreach ($id in $ids) { Set-ClusterTask -Id $id -MemoryMB 777 }' {
            $memory = $loopValue.Value; $loopValue.Value = if ($memory -eq 777) { 778 } else { 777 }
            foreach ($id in $loopIds) { Set-ClusterTask -Id $id -MemoryMB $memory }
        } $LoopRuns -Before $compact
        $loopBase = Measure-Case 'foreach ($id in $ids) { Get-ClusterTask -Id $id }' {
            foreach ($id in $loopIds) { Get-ClusterTask -Id $id }
        } $LoopRuns -Before $compact
        if ($loopBase.Result -ne $loopIds.Count) { throw "The read loop on $Scale returned $($loopBase.Result) tasks for $($loopIds.Count) ids." }

        # The floor of any commit that rewrites the snapshot (the former design): copying it, and copying it durably.
        $m = Get-ClusterMetadata
        $snapshotFile = Join-Path $statePath $m.Snapshot
        $copyTarget = Join-Path $StateRoot 'copy-floor.tmp'
        $copy = Measure-Case 'File.Copy' { [IO.File]::Copy($snapshotFile, $copyTarget, $true) } $BaselineRuns
        $copySync = Measure-Case 'copy + fsync' {
            $in = [IO.File]::OpenRead($snapshotFile); $out = [IO.FileStream]::new($copyTarget, 'Create', 'Write', 'None', 1MB)
            $in.CopyTo($out); $out.Flush($true); $out.Dispose(); $in.Dispose()
        } $BaselineRuns
        Remove-Item $copyTarget -ErrorAction SilentlyContinue

        [pscustomobject]@{
            Scale = $Scale; Date = (Get-Date).ToUniversalTime().ToString('yyyy-MM-dd HH:mm')
            State = @{ Name = $Scale; Nodes = $m.NodeCount; Tasks = $m.TaskCount; Content = $m.ContentCount }
            Bytes = $m.SnapshotBytes; Single = $single; Engine = $engineCommit; NoFsync = $noFsync
            Batch = $batch; BatchTasks = $batchIds.Count; Loop = $loop; LoopBase = $loopBase; LoopIterations = $loopIds.Count
            Copy = $copy; CopySync = $copySync
            Runs = $Runs; BaselineRuns = $BaselineRuns; LoopRuns = $LoopRuns; BatchWarmUp = $BatchWarmUp; SingleWarmUp = $SingleWarmUp
        }
    }
    finally {
        Disconnect-ClusterState
        [ClusterState.StateStore]::WaitForCleanup()
        [ClusterState.ClusterSnapshot]::ClearCache()
        Remove-Item -Recurse -Force $statePath -ErrorAction SilentlyContinue
    }
}

function Measure-Commits([string] $StateRoot, [string[]] $Scales, [int] $Runs = 7, [int] $BaselineRuns = 3, [int] $LoopRuns = 3, [int] $LoopIterations = 1000) {
    foreach ($s in $Scales) { Measure-CommitScale -StateRoot $StateRoot -Scale $s -Runs $Runs -BaselineRuns $BaselineRuns -LoopRuns $LoopRuns -LoopIterations $LoopIterations }
}

function Merge-CommitRows([object[]] $Old, [object[]] $New) {
    # The new rows, and the old rows of the scales not measured again (rows of the layout before
    # BenchCommit, which named no scale, are dropped); in the order of the scales.
    $measured = @($New | ForEach-Object Scale)
    $kept = @($Old | Where-Object { $_ -and $_.PSObject.Properties['Scale'] -and $_.Scale -notin $measured })
    @($kept + $New) | Sort-Object { [array]::IndexOf($script:CommitScaleOrder, $_.Scale) }
}

function Import-CommitRows([string] $StateRoot) {
    # out/bench/commits.clixml (written by Bench and BenchCommit); before it existed the full
    # Bench kept its commit rows in cmdlets.clixml.
    $path = Join-Path $StateRoot 'commits.clixml'
    if (Test-Path $path) { return @(Import-Clixml $path) }
    $cmdlets = Join-Path $StateRoot 'cmdlets.clixml'
    if (Test-Path $cmdlets) { $c = Import-Clixml $cmdlets; if ($c.PSObject.Properties['CommitRows']) { return @($c.CommitRows) } }
    @()
}

function Test-CommitRowPart($Row, [string] $Part) { [bool]($Row.PSObject.Properties[$Part] -and $null -ne $Row.$Part) }

function Get-CommitsGoal([object[]] $Rows) {
    # The cmdlet goals of issue 15: single-task commit at every scale, the pipeline commit on the
    # large scale, the script loop on the reference scale. A row missing its scale says so.
    $rows = @($Rows | Where-Object { $_ -and (Test-CommitRowPart $_ 'Scale') })
    if (-not $rows) { return }
    $singles = ($rows | ForEach-Object { '{0} {1}' -f $_.Scale, (& $f $_.Single.MedianMs) }) -join ', '
    $engines = ($rows | ForEach-Object { & $f $_.Engine.MedianMs }) -join ', '
    $worst = ($rows | ForEach-Object { $_.Single.MedianMs } | Measure-Object -Maximum).Maximum
    # The figures count only on the states the goals name (a row of another size says so in Measured).
    $isLarge = { param($r) $r.Scale -eq 'large' -and $r.State.Tasks -ge 1000000 -and $r.State.Nodes -ge 10000 -and $r.State.Content -ge 1000000 }
    $hasLarge = [bool]($rows | Where-Object { & $isLarge $_ })
    [pscustomobject]@{ Goal = '`Set-ClusterTask -Id <id> -MemoryMB <n>` in a warm pwsh ≤ 10 ms median at every scale (issue 15)'
        Measured = ('{0} ms (engine {1} ms){2}' -f $singles, $engines, $(if (-not $hasLarge) { '; no row of the large scale (10,000 / 1M / 1M)' }))
        Met = $hasLarge -and $worst -le 10 }
    $large = $rows | Where-Object Scale -eq 'large' | Select-Object -First 1
    $b = if ($large) { $large } else { $rows[-1] }
    $at = if ($b.Scale -eq 'large') { '' } else { " ($($b.Scale) scale)" }
    [pscustomobject]@{ Goal = '10,000-task pipeline commit (`$ids \| Set-ClusterTask -MemoryMB <n>`) ≤ 100 ms'
        Measured = ('{0} ms, {1:N0} tasks{2}' -f (& $f $b.Batch.MedianMs), $b.BatchTasks, $at)
        Met = (& $isLarge $b) -and $b.BatchTasks -ge 10000 -and $b.Batch.MedianMs -le 100 }
    $reference = $rows | Where-Object Scale -eq 'reference' | Select-Object -First 1
    $l = if ($reference) { $reference } else { $rows[-1] }
    $lat = if ($l.Scale -eq 'reference') { ' (reference)' } else { " ($($l.Scale) scale, reference not measured)" }
    [pscustomobject]@{ Goal = '1,000-iteration loop `foreach ($id in $ids) { Set-ClusterTask -Id $id -MemoryMB 777 }` ≤ 15 s on 1k / 100k / 1M'
        Measured = ('{0:N2} s, {1:N0} iterations; the same loop of Get-ClusterTask -Id {2:N2} s{3}' -f ($l.Loop.MedianMs / 1000), $l.LoopIterations, ($l.LoopBase.MedianMs / 1000), $lat)
        Met = $l.Scale -eq 'reference' -and $l.State.Nodes -ge 1000 -and $l.State.Tasks -ge 100000 -and $l.State.Content -ge 1000000 -and $l.LoopIterations -ge 1000 -and $l.Loop.MedianMs -le 15000 }
}

function Write-CommitsSection([object[]] $Rows) {
    # The "## Commits" section of docs/PERFORMANCE.md. Rows of the layout before BenchCommit
    # (no loop, named by their sizes) still render, with dashes for what they lack.
    $rows = @($Rows | Where-Object { $_ })
    if (-not $rows) { return }
    $range = { param($c) "$(& $f $c.MedianMs) ($(& $f $c.MinMs)–$(& $f $c.MaxMs))" }
    $seconds = { param($c) '{0:N2} ({1:N2}–{2:N2})' -f ($c.MedianMs / 1000), ($c.MinMs / 1000), ($c.MaxMs / 1000) }
    $new = @($rows | Where-Object { Test-CommitRowPart $_ 'Scale' })
    $dates = @($new | ForEach-Object Date | Sort-Object -Unique)
    $r0 = if ($new) { $new[0] } else { $null }
    # The pipeline's runs as the newest rows measured them (older rows warmed it up once).
    $batchRow = @($new | Where-Object { $_.PSObject.Properties['BatchWarmUp'] }) | Select-Object -Last 1
    if (-not $batchRow) { $batchRow = $r0 }
    Line '## Commits'
    Line
    if ($r0) {
        Line ("Commit cost by state size in one warm pwsh, measured $(if ($dates.Count -gt 1) { "$($dates[0])–$($dates[-1])" } else { $dates[0] }) UTC by ``build.ps1 BenchCommit`` (or the commit part of a full ``build.ps1 Bench``; the same code, tests/Benchmarks/Commits.ps1) on a copy of each seeded bench state (commits since the commit log append one record and fdatasync it: DESIGN.md §5, ""Commit log"" below). The state is connected (``Connect-ClusterState``). Single: ``Set-ClusterTask -Id <id> -MemoryMB <n>``; engine: ``StateStore.Commit`` of the same change; without fsync: the same with ``Durable = `$false``, to show the share of the flush; each {5} to warm up, then {0}. Pipeline: the first 10,000 task ids (all of them on a smaller state) piped into one ``Set-ClusterTask`` (one commit), {4}, each after the background compaction a previous run started (every fourteenth or so: a 10,000-task record is about 4.5 MiB of log) had finished (untimed); the first runs of a session cost more while .NET compiles the binder and commit path to optimised code, and are listed below the table. Loop: ``foreach (`$id in `$ids) {{ Set-ClusterTask -Id `$id -MemoryMB 777 }}`` over the first {3:N0} ids (one commit each; 777 and 778 on alternate runs so every commit changes the row), wall time of the whole loop, once to warm up, then {2}, each after the log was compacted (untimed). Medians in ms (min–max) unless stated." -f (Format-Runs $r0.Runs), (Format-Runs $r0.BaselineRuns), (Format-Runs $r0.LoopRuns), $r0.LoopIterations, (Format-BatchRuns $batchRow), $(if ($r0.PSObject.Properties['SingleWarmUp']) { "$($r0.SingleWarmUp) times" } else { 'once' }))
        Line
        Line 'Baselines of the same run: the same loop of a read-only cmdlet (`foreach ($id in $ids) { Get-ClusterTask -Id $id }`, same runs, each after a compaction), so what the commits add to the loop''s own cost is visible; `File.Copy` of the snapshot file and the same copy flushed with fsync — the floor of the former design, in which every commit wrote a whole new snapshot.'
    }
    else {
        Line 'Commit cost as saved by the last full `build.ps1 Bench` from before `build.ps1 BenchCommit` existed (no script loop then; the date at the top is that of the document): single-task commit through the cmdlet (`-StatePath`) and the engine, a 10,000-task pipeline commit, and the snapshot copy floors, on states generated with seed 2.'
    }
    Line
    $iterations = if ($r0) { '{0:N0}-iteration' -f $r0.LoopIterations } else { 'Script' }
    Line "| Scale (nodes / tasks / content) | Snapshot MiB | Single-task commit, cmdlet | Engine commit | Engine, no fsync | Pipeline commit | $iterations loop, s | ms per iteration | Same loop of Get-ClusterTask, s | Loop / read loop | File.Copy of the snapshot | Copy + fsync |"
    Line '|---|---|---|---|---|---|---|---|---|---|---|---|'
    foreach ($c in $rows) {
        $st = $c.State
        $sizes = '{0:N0} / {1:N0} / {2:N0}' -f $st.Nodes, $st.Tasks, $st.Content
        $label = if (Test-CommitRowPart $c 'Scale') { "$($c.Scale) ($sizes)" } else { $sizes }
        $tasks = if (Test-CommitRowPart $c 'BatchTasks') { $c.BatchTasks } else { 10000 }
        $loopCells = if (Test-CommitRowPart $c 'Loop') {
            '{0} | {1} | {2} | **{3:N1}×**' -f (& $seconds $c.Loop), (& $f ($c.Loop.MedianMs / $c.LoopIterations)), (& $seconds $c.LoopBase), ($c.Loop.MedianMs / $c.LoopBase.MedianMs)
        } else { '— | — | — | —' }
        Line "| $label | $([math]::Round($c.Bytes / 1MB)) | $(& $range $c.Single) | $(& $f $c.Engine.MedianMs) | $(& $f $c.NoFsync.MedianMs) | $(& $range $c.Batch), $('{0:N0}' -f $tasks) tasks | $loopCells | $(& $f $c.Copy.MedianMs) | $(& $f $c.CopySync.MedianMs) |"
    }
    Line
    $firstRuns = @($rows | Where-Object { (Test-CommitRowPart $_ 'Batch') -and $_.Batch.PSObject.Properties['WarmUpMs'] -and @($_.Batch.WarmUpMs).Count -gt 1 })
    if ($firstRuns) {
        Line ('The pipeline''s first runs in the session (its warm-up, in order), in ms: ' + (($firstRuns | ForEach-Object { '{0}: {1}' -f $_.Scale, ((@($_.Batch.WarmUpMs) | ForEach-Object { '{0:N0}' -f $_ }) -join ', ') }) -join '; ') + '.')
        Line
    }
}

function Format-BatchRuns($Row) {
    # How the pipeline case ran: rows before the warm-up was raised ran once, then the baseline count.
    if ($Row.PSObject.Properties['BatchWarmUp']) { "$($Row.BatchWarmUp) times to warm up, then $(Format-Runs $Row.Runs)" }
    else { "once to warm up, then $(Format-Runs $Row.BaselineRuns)" }
}

function Update-PerformanceSection([string] $Path, [string] $Heading, [string] $Section, [object[]] $Goals, [string] $Before) {
    # Rewrites one section of an existing docs/PERFORMANCE.md (from its $Heading line to the next
    # "## ") and its goal rows in the Goals table, in place; every other line stays as it was, so a
    # bench of one part (BenchCommit, BenchLog) needs no saved figures of the others. A section
    # not there yet goes before the $Before heading, or else at the end.
    $lines = [Collections.Generic.List[string]]::new([string[]](Get-Content -LiteralPath $Path))
    $new = @($Section -split "`n")
    if ($new[-1] -eq '') { $new = $new[0..($new.Count - 2)] }
    $start = $lines.IndexOf($Heading)
    if ($start -ge 0) {
        $end = $start + 1
        while ($end -lt $lines.Count -and -not $lines[$end].StartsWith('## ')) { $end++ }
        $lines.RemoveRange($start, $end - $start)
    }
    else {
        $start = if ($Before) { $lines.IndexOf($Before) } else { -1 }
        if ($start -lt 0) { $start = $lines.Count }
    }
    $lines.InsertRange($start, [string[]]$new)

    $goalsAt = -1
    for ($i = 0; $i -lt $lines.Count; $i++) { if ($lines[$i].StartsWith('## Goals')) { $goalsAt = $i; break } }
    if ($goalsAt -lt 0) { throw "$Path has no Goals table." }
    $first = $goalsAt + 1
    while ($first -lt $lines.Count -and -not $lines[$first].StartsWith('|')) { $first++ }
    $first += 2   # the header and its separator
    $texts = @($Goals | ForEach-Object Goal)
    # The rows replaced stay where the first of them was (else after the last row).
    $at = -1
    $last = $first
    while ($last -lt $lines.Count -and $lines[$last].StartsWith('|')) {
        $cell = if ($lines[$last] -match '^\| (.+?) \| ') { $Matches[1] }
        if ($cell -in $texts) {
            if ($at -lt 0) { $at = $last }
            $lines.RemoveAt($last)
        }
        else { $last++ }
    }
    if ($at -lt 0) { $at = $last }
    $lines.InsertRange($at, [string[]]@($Goals | ForEach-Object { Format-GoalRow $_ }))
    Set-Content -LiteralPath $Path -Value (($lines -join "`n") + "`n") -NoNewline
}

function Format-Runs([int] $n) { if ($n -eq 1) { '1 run' } else { "$n runs" } }

function Format-GoalRow($Goal) { "| $($Goal.Goal) | $($Goal.Measured) | $(if ($Goal.Met) { 'yes' } else { '**no**' }) |" }
