# The commit log (issue 15) in docs/PERFORMANCE.md, from the "Log" section of engine.json
# (tests/ClusterState.Benchmarks, CommitLogMeasurements). Dot-sourced by Cmdlets.Bench.ps1 and
# CommitLog.Bench.ps1; these functions use Line and $f of Document.ps1.

function Get-CommitLogGoal([object[]] $Log) {
    # The acceptance numbers of issue 15, on the large scale (the largest measured when a quick run
    # had only a small one; the row then names it).
    if (-not $Log) { return }
    $l = $Log | Where-Object Scale -eq 'large' | Select-Object -First 1
    if (-not $l) { $l = $Log[-1] }
    $at = if ($l.Scale -eq 'large') { '' } else { " ($($l.Scale) scale)" }
    $scanRatio = $l.StatusScanLog.MedianMs / $l.StatusScanCompacted.MedianMs
    $statusRatio = $l.GetStatusLog.MedianMs / $l.GetStatusCompacted.MedianMs
    $during = $l.Concurrent.During
    [pscustomobject]@{ Goal = 'Open after 1,000 uncompacted commits ≤ 5 ms (issue 15)'; Measured = ('{0} ms, {1:N0} records, {2:N1} MiB log{3}' -f (& $f $l.FreshOpen.MedianMs), $l.LogRecords, ($l.LogBytes / 1MB), $at); Met = $l.FreshOpen.MedianMs -le 5 }
    [pscustomobject]@{ Goal = '… reopened after one more commit in a warm process (tail read) ≤ 1 ms'; Measured = "$(& $f $l.TailOpen.MedianMs) ms$at"; Met = $l.TailOpen.MedianMs -le 1 }
    [pscustomobject]@{ Goal = "… status scan (failed) ≤ 1.3× the compacted state's"; Measured = ('{0:N2}× ({1} against {2} ms){3}' -f $scanRatio, (& $f $l.StatusScanLog.MedianMs), (& $f $l.StatusScanCompacted.MedianMs), $at); Met = $scanRatio -le 1.3 }
    [pscustomobject]@{ Goal = "… Get-ClusterStatus engine ≤ 1.3× the compacted state's"; Measured = ('{0:N2}× ({1} against {2} ms){3}' -f $statusRatio, (& $f $l.GetStatusLog.MedianMs), (& $f $l.GetStatusCompacted.MedianMs), $at); Met = $statusRatio -le 1.3 }
    [pscustomobject]@{ Goal = 'No commit waits > 50 ms (p99) during a compaction (4 writers)'; Measured = ('p99 {0} ms, max {1} ms, {2:N0} commits{3}{4}' -f (& $f $during.P99Ms), (& $f $during.MaxMs), $during.Count, $at, $(if ($l.Concurrent.CompactionError) { '; the compaction failed' })); Met = -not $l.Concurrent.CompactionError -and $during.Count -gt 0 -and $during.P99Ms -le 50 }
    [pscustomobject]@{ Goal = '… and nothing lost: every acknowledged change present, no commit failed'; Measured = ('{0:N0} changes checked, {1:N0} lost, {2:N0} commits failed{3}' -f $l.Concurrent.Checked, $l.Concurrent.Lost, $l.Concurrent.Errors, $at); Met = $l.Concurrent.Lost -eq 0 -and $l.Concurrent.Errors -eq 0 }
    # Runs before these measurements existed have neither field.
    if ($l.PSObject.Properties['SqlitePeer'] -and $l.SqlitePeer) {
        $q = $l.SqlitePeer
        [pscustomobject]@{ Goal = 'Single-task commit matches or beats SQLite WAL, synchronous=FULL, one row of 1M'
            Measured = ('{0} against {1} ms ({2:N2}×), {3:N0} rows{5}{4}' -f (& $f $l.SingleCommit.MedianMs), (& $f $q.Commit.MedianMs), ($l.SingleCommit.MedianMs / $q.Commit.MedianMs), $q.Rows, $at,
                $(if ($l.PSObject.Properties['DataSyncFloor']) { '; fdatasync floor {0} ms' -f (& $f $l.DataSyncFloor.MedianMs) }))
            Met = $l.SingleCommit.MedianMs -le $q.Commit.MedianMs }
    }
    if ($l.PSObject.Properties['WriterProcesses'] -and $l.WriterProcesses) {
        $w = $l.WriterProcesses
        $verified = Test-WriterProcessesVerified $w
        [pscustomobject]@{ Goal = 'Eight writer processes × 500 commits ≥ 1,000 commits/s, all changes present, counter exact, a reader saw every generation consistent'
            Measured = ('{0:N0} commits/s ({1} × {2}, warm writers{5}), {3}{4}' -f $w.CommitsPerSecond, $w.Writers, $w.CommitsPerWriter, $(if ($verified) { 'all verified' } else { '**verification failed**' }), $at,
                $(if ($w.PSObject.Properties['Cold']) { '; cold: {0:N0}' -f $w.Cold.CommitsPerSecond }))
            Met = $verified -and $w.CommitsPerSecond -ge 1000 -and $w.Writers -ge 8 -and $w.CommitsPerWriter -ge 500 }
    }
}

function Test-WriterProcessesVerified($w) {
    # Every check of the run held: the counter exactly +N, every change present, one generation per commit, the reader never saw a torn state.
    $w.Commits -eq $w.ChangesExpected -and $w.CounterDelta -eq $w.ChangesExpected -and $w.ChangesPresent -eq $w.ChangesExpected -and $w.GenerationsDistinct -and $w.ReaderOk -and -not @($w.Failures).Count
}

function Write-CommitLogSection([object[]] $Log, [string] $When) {
    if (-not $Log) { return }
    $p = { param($s) "$(& $f $s.MedianMs) ($(& $f $s.P99Ms))" }
    $scale = { param($l) '{0} ({1:N0} / {2:N0} / {3:N0}, {4:N0} MiB)' -f $l.Scale, $l.Nodes, $l.Tasks, $l.Content, ($l.SnapshotBytes / 1MB) }
    Line '## Commit log'
    Line
    Line ('A commit appends one record to the base''s commit log and makes it durable with fdatasync (ARCHITECTURE.md "Writing: commits"); readers merge base and log; compaction folds the log into a new base. Measured by the engine (`StateStore.Commit`, durable) on a copy of the seeded state, compacted first; `build.ps1 BenchLog` repeats only these' + $(if ($When) { " ($When)" }) + '. Times in ms, median (p99) unless stated.')
    Line
    Line 'Single-task commit: 50 commits each setting MemoryMB of one task (what `Set-ClusterTask -Id <id> -MemoryMB <n>` commits), after 5 warm-ups. Baseline of the same run: the current snapshot file written completely through a FileStream and flushed with fsync, median of five — **the floor of the former design**, in which every commit wrote a whole new snapshot: no commit of it could be faster than this.'
    if ($Log | Where-Object { $_.PSObject.Properties['SqlitePeer'] -and $_.SqlitePeer }) {
        Line
        Line 'Beside it, measured right after it in the same process: the peer an engineer would reach for — SQLite (Microsoft.Data.Sqlite, in the benchmark project only) in WAL mode with `synchronous=FULL`, so every commit fsyncs the WAL: a table of 1M tasks (`id TEXT PRIMARY KEY`, type, status, assigned_to, cpu_cores, memory_mb, created_at, updated_at), its WAL checkpointed after the load, then 50 autocommit `UPDATE tasks SET memory_mb = …, updated_at = … WHERE id = …` of random rows after 5 warm-ups. SQLite / commit above 1 means the commit log is faster.'
    }
    if ($Log | Where-Object { $_.PSObject.Properties['DataSyncFloor'] }) {
        Line
        Line 'And the floor under any durable commit on this disk, measured between the two: a file appended with as many bytes as one of these commit records takes (the log''s growth over the 50 commits, divided by 50) and made durable with fdatasync, 50 times after 5 warm-ups — no lock, no metadata, no encoding. What a commit or SQLite costs above it is their own work.'
    }
    Line
    Line '| Scale | Single-task commit | fdatasync floor (record-sized append) | Commit above the floor | Snapshot written + fsync (former floor) | Former floor / commit | SQLite WAL, synchronous=FULL (1M rows) | SQLite / commit |'
    Line '|---|---|---|---|---|---|---|---|'
    foreach ($l in $Log) {
        $q = if ($l.PSObject.Properties['SqlitePeer']) { $l.SqlitePeer }
        # A quick run fills a smaller table: the cell says so rather than pass it off as the 1M-row figure.
        $sqlite = if (-not $q) { '—' } elseif ($q.Rows -eq 1000000) { & $p $q.Commit } else { '{0}, {1:N0} rows' -f (& $p $q.Commit), $q.Rows }
        $ratio = if ($q) { '{0:N2}×' -f ($q.Commit.MedianMs / $l.SingleCommit.MedianMs) } else { '—' }
        # Runs before the floor was measured have no such field.
        $floor = if ($l.PSObject.Properties['DataSyncFloor']) { $l.DataSyncFloor } else { $null }
        $floorCell = if ($floor) { '{0}, {1:N0} B' -f (& $p $floor), $l.RecordBytes } else { '—' }
        $above = if ($floor) { '{0:N2} ms' -f ($l.SingleCommit.MedianMs - $floor.MedianMs) } else { '—' }
        Line ('| {0} | {1} | {2} | {3} | {4} | {5:N1}× | {6} | {7} |' -f (& $scale $l), (& $p $l.SingleCommit), $floorCell, $above, (& $f $l.SnapshotRewrite.MedianMs), ($l.SnapshotRewrite.MedianMs / $l.SingleCommit.MedianMs), $sqlite, $ratio)
    }
    Line
    Line ('A growing log: {0:N0} commits of {1} task updates each (MemoryMB, different tasks), automatic compaction off (`CompactLogRecords` and `CompactLogBytes` 0). Commit latency by the number of records already in the log:' -f $Log[0].LogCommits, $Log[0].TasksPerLogCommit)
    Line
    $buckets = @($Log[0].LogCommitBySize)
    Line "| Scale | $(($buckets | ForEach-Object { 'Log {0:N0}–{1:N0} records' -f $_.LogRecordsFrom, $_.LogRecordsTo }) -join ' | ') | All | Log MiB at the end |"
    Line "|---|$('---|' * $buckets.Count)---|---|"
    foreach ($l in $Log) {
        Line ('| {0} | {1} | {2} | {3:N1} |' -f (& $scale $l), (($l.LogCommitBySize | ForEach-Object { & $p $_.Latency }) -join ' | '), (& $p $l.LogCommit), ($l.LogBytes / 1MB))
    }
    Line
    Line 'Reads over that log, against the same state just compacted (`StateStore.Compact`): fresh open = `ClusterSnapshot.ClearCache()` then `Open` (the log summary the commits wrote in the background and the records after it read; medians of 11; in the process that made the commits, its code fully optimised by the JIT: a fresh process opening the same state is several times slower, see ARCHITECTURE.md "Reading a long log fast"); tail open = the warm process reopens after one more commit and reads only the new record (11, each after its commit, so the log has a few more records than the commits above); failed-status scan = `FindTasks(new TaskQuery { Status = ["failed"] })` and `ClusterAnalysis.GetStatus` on two held snapshots, the one with the log (opened before the compaction, its files stay mapped) and the compacted one, alternated in 41 rounds, which of the two goes first alternating too, after an untimed one (in blocks one after the other, the ratio followed the machine''s drift: 1.09× and 1.61× in two runs of the same code). Compaction: the time of `StateStore.Compact` alone.'
    Line
    Line '| Scale | Records | Fresh open | Tail open | Fresh open, compacted | Failed scan: log / compacted | GetStatus: log / compacted | Compaction s |'
    Line '|---|---|---|---|---|---|---|---|'
    foreach ($l in $Log) {
        Line ('| {0} | {1:N0} | {2} | {3} | {4} | {5} / {6} = **{7:N2}×** | {8} / {9} = **{10:N2}×** | {11:N2} |' -f (& $scale $l), $l.LogRecords, (& $f $l.FreshOpen.MedianMs), (& $f $l.TailOpen.MedianMs), (& $f $l.CompactedOpen.MedianMs),
            (& $f $l.StatusScanLog.MedianMs), (& $f $l.StatusScanCompacted.MedianMs), ($l.StatusScanLog.MedianMs / $l.StatusScanCompacted.MedianMs),
            (& $f $l.GetStatusLog.MedianMs), (& $f $l.GetStatusCompacted.MedianMs), ($l.GetStatusLog.MedianMs / $l.GetStatusCompacted.MedianMs), ($l.CompactionMs / 1000))
    }
    Line
    Line ('Compaction while {0} writer threads commit one task each in a loop (durable, a new value every time): after a new log of {1:N0} ten-task commits and a stretch of writing alone, `StateStore.Compact` runs; every commit whose time overlaps the compaction is counted. Baseline of the same run: the commits of the stretch before it. Afterwards a fresh open must show every acknowledged change (each task''s last acknowledged value) and one generation per acknowledged commit.' -f $Log[0].Concurrent.Writers, $Log[0].LogCommits)
    Line
    Line '| Scale | Compaction s | Commits during it | p50 | p99 | max | Before it: p50 (p99), commits | Changes checked, lost | Failed commits |'
    Line '|---|---|---|---|---|---|---|---|---|'
    foreach ($l in $Log) {
        $c = $l.Concurrent
        $took = if ($c.CompactionError) { '{0:N2}, **failed**' -f ($c.CompactionMs / 1000) } else { '{0:N2}' -f ($c.CompactionMs / 1000) }
        Line ('| {0} | {1} | {2:N0} | {3} | {4} | {5} | {6}, {7:N0} | {8:N0}, {9:N0} | {10:N0} |' -f (& $scale $l), $took, $c.During.Count, (& $f $c.During.MedianMs), (& $f $c.During.P99Ms), (& $f $c.During.MaxMs), (& $p $c.Before), $c.Before.Count, $c.Checked, $c.Lost, $c.Errors)
    }
    Line
    $processes = @($Log | Where-Object { $_.PSObject.Properties['WriterProcesses'] -and $_.WriterProcesses })
    if ($processes) {
        $w0 = $processes[0].WriterProcesses
        Line ('Writer processes: {0} processes (tests/ClusterState.StressTool, started and each with the state opened before a start signal) commit {1:N0} times each on the same copy, durable, with the default `CommitOptions` (as a script''s commits are; the log stays below the compaction thresholds): each commit sets the writer''s own content row to the commit''s number and adds 1 to a shared counter row. Meanwhile a reader process opens the state again and again (pausing 1 ms when the generation has not moved: a reader that spun on the same generation took a core of the two from the writers) and checks in every generation it sees that the counter equals its start plus the writers'' own rows. Afterwards, read fresh: the counter exactly +{2:N0}, every writer''s row at its last commit (all changes present), one generation per acknowledged commit. Commits/s over the span from the first commit''s start to the last one''s end; latency as each writer timed its commit (waiting for the lock included). Each writer process first commits on a small private state of its own, from two threads at once (so the paths of a contended commit run too), in rounds of 800 until a round leaves the JIT next to nothing to compile, and reads its own rows of the measured state once (which builds the id index its commits use): as a writer that has run a while (a scheduler, the server). The reader warms up likewise (it reads and checks the private state after each of its commits, then reads the measured state once): beside warm writers a cold reader''s JIT took a sixth of the machine. With 300 lone commits the same writers measured at half the speed; with 2,000 lone commits the JIT still took a sixth of the machine during the measurement. Baselines of the same run, all without the reader (which reads and merges every new generation): the same writers just before; before them the same writers without group commit (`CommitOptions.GroupCommit = $false`: each commit flushes its record and the metadata while it holds the writer lock); and first of all cold writers, which skip the warm-up and so pay for compiling the commit path during their commits.' -f $w0.Writers, $w0.CommitsPerWriter, $w0.ChangesExpected)
        Line
        Line '| Scale | Processes × commits | Wall s | Commits/s | Commit p50 | p99 | max | Counter | Changes present | Reader: checks, generations seen | Verified | Without the reader: commits/s, commit p50 (p99) | … and without group commit | Cold writers, without the reader |'
        Line '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|'
        foreach ($l in $processes) {
            $w = $l.WriterProcesses
            $alone = if ($w.PSObject.Properties['WithoutReader']) { $w.WithoutReader }
            $aloneText = if (-not $alone) { '—' } else { '{0:N0}, {1}{2}' -f $alone.CommitsPerSecond, (& $p $alone.Commit), $(if (-not $alone.Verified) { ', **verification failed**' }) }
            $ungrouped = if ($w.PSObject.Properties['WithoutGroupCommit']) { $w.WithoutGroupCommit }
            $ungroupedText = if (-not $ungrouped) { '—' } else { '{0:N0}, {1}{2}' -f $ungrouped.CommitsPerSecond, (& $p $ungrouped.Commit), $(if (-not $ungrouped.Verified) { ', **verification failed**' }) }
            $cold = if ($w.PSObject.Properties['Cold']) { $w.Cold }
            $coldText = if (-not $cold) { '—' } else { '{0:N0}, {1}{2}' -f $cold.CommitsPerSecond, (& $p $cold.Commit), $(if (-not $cold.Verified) { ', **verification failed**' }) }
            Line ('| {0} | {1} × {2:N0} | {3:N2} | **{4:N0}** | {5} | {6} | {7} | +{8:N0} | {9:N0} of {10:N0} | {11:N0}, {12:N0} | {13} | {14} | {15} | {16} |' -f (& $scale $l), $w.Writers, $w.CommitsPerWriter, ($w.WallMs / 1000), $w.CommitsPerSecond,
                (& $f $w.Commit.MedianMs), (& $f $w.Commit.P99Ms), (& $f $w.Commit.MaxMs), $w.CounterDelta, $w.ChangesPresent, $w.ChangesExpected, $w.ReaderChecks, $w.ReaderGenerations,
                $(if (Test-WriterProcessesVerified $w) { 'yes' } else { '**no**' }), $aloneText, $ungroupedText, $coldText)
        }
        Line
        foreach ($l in $processes | Where-Object { @($_.WriterProcesses.Failures).Count -or ($_.WriterProcesses.PSObject.Properties['WithoutReader'] -and @($_.WriterProcesses.WithoutReader.Failures).Count) -or ($_.WriterProcesses.PSObject.Properties['WithoutGroupCommit'] -and @($_.WriterProcesses.WithoutGroupCommit.Failures).Count) -or ($_.WriterProcesses.PSObject.Properties['Cold'] -and @($_.WriterProcesses.Cold.Failures).Count) }) {
            Line "Failures of the writer processes ($($l.Scale)):"
            Line
            foreach ($e in $l.WriterProcesses.Failures) { Line "* ``$($e -replace '`', "'")``" }
            if ($l.WriterProcesses.PSObject.Properties['WithoutReader']) { foreach ($e in $l.WriterProcesses.WithoutReader.Failures) { Line "* without the reader: ``$($e -replace '`', "'")``" } }
            if ($l.WriterProcesses.PSObject.Properties['WithoutGroupCommit']) { foreach ($e in $l.WriterProcesses.WithoutGroupCommit.Failures) { Line "* without group commit: ``$($e -replace '`', "'")``" } }
            if ($l.WriterProcesses.PSObject.Properties['Cold']) { foreach ($e in $l.WriterProcesses.Cold.Failures) { Line "* cold writers: ``$($e -replace '`', "'")``" } }
            Line
        }
    }
    foreach ($l in $Log | Where-Object { $_.Concurrent.CompactionError -or $_.Concurrent.Errors -gt 0 }) {
        Line "Failures during the compaction with writers ($($l.Scale)):"
        Line
        if ($l.Concurrent.CompactionError) { Line "* the compaction: ``$($l.Concurrent.CompactionError -replace '`', "'")``" }
        foreach ($e in $l.Concurrent.FirstErrors) { Line "* a commit: ``$($e -replace '`', "'")``" }
        Line
    }
}
