# Observability: Prometheus metrics (checked by promtool), watching commits and waiting for tasks
# with a second process committing, and progress of long operations.
BeforeAll {
    . $PSScriptRoot/Common.ps1
}

Describe 'Get-ClusterMetric and Export-ClusterMetric' {
    BeforeAll {
        $script:StatePath = Join-Path $TestDrive 'metrics'
        New-TestState -Path $StatePath -NodeCount 30 -TaskCount 2000 -ContentCount 400 -Seed 21 | Out-Null
        # One commit, so the state has a change and a generation above one.
        Set-ClusterTask -StatePath $StatePath -Id (Get-ClusterTask -StatePath $StatePath | Select-Object -First 1).Id -Status failed -Force
        $script:File = Join-Path $TestDrive 'clusterstate.prom'
        $script:Written = Export-ClusterMetric -StatePath $StatePath -Path $File -PassThru
        $script:Metrics = Get-ClusterMetric -StatePath $StatePath
    }

    It 'writes a file that promtool accepts' {
        $promtool = Assert-TestTool promtool
        $Written.FullName | Should -Be $File
        $out = Get-Content $File -Raw | & $promtool check metrics 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        @($out | Where-Object { $_ -match '\S' }) | Should -BeNullOrEmpty -Because 'promtool reports no lint problems'
    }

    It 'has the values of the state' {
        $m = Get-ClusterMetadata -StatePath $StatePath
        $tasks = $Metrics | Where-Object Name -eq clusterstate_tasks
        ($tasks | Measure-Object Value -Sum).Sum | Should -Be $m.TaskCount
        foreach ($status in 'pending', 'running', 'failed') {
            ($tasks | Where-Object { $_.Labels.status -eq $status } | Measure-Object Value -Sum).Sum | Should -Be @(Find-ClusterTask -StatePath $StatePath -Status $status).Count
        }
        ($Metrics | Where-Object Name -eq clusterstate_state_generation).Value | Should -Be $m.Generation
        ($Metrics | Where-Object Name -eq clusterstate_content_items).Value | Should -Be $m.ContentCount
        ($Metrics | Where-Object Name -eq clusterstate_snapshot_size_bytes).Value | Should -Be $m.SnapshotBytes
        ($Metrics | Where-Object Name -eq clusterstate_content_under_replicated_items).Value | Should -Be @(Get-ClusterContentMap -StatePath $StatePath | Where-Object UnderReplicated).Count
        $u = Get-ClusterNodeUtilization -StatePath $StatePath | Sort-Object ActiveTasks -Descending | Select-Object -First 1
        $active = $Metrics | Where-Object { $_.Name -eq 'clusterstate_node_active_tasks' -and $_.Labels.node -eq $u.NodeId }
        $active.Value | Should -Be $u.ActiveTasks
        $active.Labels.role | Should -Be $u.Role
        ($Metrics | Where-Object { $_.Name -eq 'clusterstate_node_cpu_utilization_ratio' -and $_.Labels.node -eq $u.NodeId }).Value | Should -Be $u.CpuUtilization
        # The file holds the same samples, one line each, after HELP and TYPE lines.
        $lines = Get-Content $File
        @($lines | Where-Object { $_ -notmatch '^#' }).Count | Should -Be @($Metrics).Count
        $lines | Should -Contain "clusterstate_state_generation $($m.Generation)"
        $lines | Should -Contain '# TYPE clusterstate_tasks gauge'
    }

    It 'filters by name with wildcards and changes nothing with -WhatIf' {
        @(Get-ClusterMetric -StatePath $StatePath -Name 'clusterstate_node_*').Name | Sort-Object -Unique | Should -Be @(
            'clusterstate_node_active_tasks', 'clusterstate_node_cpu_utilization_ratio', 'clusterstate_node_disk_utilization_ratio',
            'clusterstate_node_gpu_utilization_ratio', 'clusterstate_node_memory_utilization_ratio')
        $other = Join-Path $TestDrive 'whatif.prom'
        Export-ClusterMetric -StatePath $StatePath -Path $other -WhatIf
        Test-Path $other | Should -BeFalse
    }
}

Describe 'The server answers GET /metrics and GET /healthz on its metrics port' {
    BeforeAll {
        $script:ServedPath = Join-Path $TestDrive 'served'
        New-TestState -Path $ServedPath -NodeCount 12 -TaskCount 300 -ContentCount 40 -Seed 22 | Out-Null
        $script:Served = Start-ClusterStateServer -StatePath $ServedPath -MetricsPort 0 -StopWithSession
        $script:Guarded = Start-ClusterStateServer -StatePath $ServedPath -MetricsPort 0 -MetricsRequireToken -StopWithSession
        $script:HealthUri = $Served.MetricsUri -replace '/metrics$', '/healthz'
        function Get-Http([string] $Uri, [hashtable] $Headers = @{}) {
            # Status and body of a GET, whatever the status (no exception on 4xx and 5xx).
            $r = Invoke-WebRequest -Uri $Uri -Headers $Headers -SkipHttpErrorCheck -TimeoutSec 30
            [pscustomobject]@{ Status = [int]$r.StatusCode; Body = [string]$r.Content; ContentType = [string]$r.Headers['Content-Type'] }
        }
        function ConvertFrom-PrometheusText([string] $Text) {
            # name{labels} -> value, for every sample line.
            $samples = @{}
            foreach ($line in $Text -split "`n" | Where-Object { $_ -and -not $_.StartsWith('#') }) {
                $at = $line.LastIndexOf(' ')
                $samples[$line.Substring(0, $at)] = [double]::Parse($line.Substring($at + 1), [cultureinfo]::InvariantCulture)
            }
            $samples
        }
    }
    AfterAll {
        foreach ($s in $Served, $Guarded) { if ($s) { Stop-ClusterStateServer -ProcessId $s.ProcessId -ErrorAction SilentlyContinue } }
    }

    It 'names its metrics address, a port of its own on the bind address' {
        $Served.MetricsUri | Should -Match '^http://127\.0\.0\.1:\d+/metrics$'
        ([uri]$Served.MetricsUri).Port | Should -Not -Be ([uri]$Served.Uri).Port
        (Start-ClusterStateServer -StatePath $ServedPath -WhatIf) | Should -BeNullOrEmpty
        $plain = Start-ClusterStateServer -StatePath $ServedPath -StopWithSession
        try { $plain.MetricsUri | Should -BeNullOrEmpty } finally { Stop-ClusterStateServer -ProcessId $plain.ProcessId }
    }

    It 'serves the samples of Get-ClusterMetric without a token, in a text that promtool accepts' {
        $r = Get-Http $Served.MetricsUri
        $r.Status | Should -Be 200
        $r.ContentType | Should -Match '^text/plain; version=0\.0\.4'
        $out = $r.Body | & (Assert-TestTool promtool) check metrics 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
        @($out | Where-Object { $_ -match '\S' }) | Should -BeNullOrEmpty -Because 'promtool reports no lint problems'
        $served = ConvertFrom-PrometheusText $r.Body
        $local = ConvertFrom-PrometheusText ((Get-ClusterMetric -StatePath $ServedPath | ForEach-Object ToString) -join "`n")
        $served.Count | Should -Be $local.Count
        foreach ($key in $local.Keys) {
            $served.ContainsKey($key) | Should -BeTrue -Because "the server has $key"
            if ($key -notlike 'clusterstate_state_update_age_seconds*') { $served[$key] | Should -Be $local[$key] -Because $key }
        }
    }

    It 'follows commits: the next scrape after a commit has the new generation and counts' {
        $before = ConvertFrom-PrometheusText (Get-Http $Served.MetricsUri).Body
        $id = (Find-ClusterTask -StatePath $ServedPath -Status pending | Select-Object -First 1).Id
        Set-ClusterTask -StatePath $ServedPath -Id $id -Status failed -Force
        $after = ConvertFrom-PrometheusText (Get-Http $Served.MetricsUri).Body
        $after['clusterstate_state_generation'] | Should -Be ($before['clusterstate_state_generation'] + 1)
        $failed = { param($m) ($m.Keys | Where-Object { $_ -like 'clusterstate_tasks{status="failed"*' } | ForEach-Object { $m[$_] } | Measure-Object -Sum).Sum }
        (& $failed $after) | Should -Be ((& $failed $before) + 1)
        (Get-Http $HealthUri).Body | Should -Be "ok generation $($after['clusterstate_state_generation'])`n"
    }

    It 'asks for the token on /metrics only with -MetricsRequireToken; /healthz never does' {
        $guardedHealth = $Guarded.MetricsUri -replace '/metrics$', '/healthz'
        (Get-Http $Guarded.MetricsUri).Status | Should -Be 401
        (Get-Http $Guarded.MetricsUri @{ Authorization = 'Bearer wrong' }).Status | Should -Be 401
        (Get-Http $Guarded.MetricsUri @{ Authorization = "Bearer $($Guarded.Token)" }).Status | Should -Be 200
        (Get-Http $guardedHealth).Status | Should -Be 200
        { Start-ClusterStateServer -StatePath $ServedPath -MetricsRequireToken -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidArgument*'
    }

    It 'answers nothing else on the metrics port, and neither path on the Flight port' {
        (Get-Http ($Served.MetricsUri -replace '/metrics$', '/state')).Status | Should -Be 404
        $flight = ([uri]$Served.Uri).Port
        # The Flight port speaks HTTP/2 only: an HTTP/1.1 request there gets no metrics.
        $r = try { Get-Http "http://127.0.0.1:$flight/metrics" } catch { [pscustomobject]@{ Status = 0; Body = '' } }
        $r.Body | Should -Not -Match 'clusterstate_'
    }

    It 'reports 503 with the ErrorId while the state does not read, and recovers' {
        $metadata = Join-Path $ServedPath 'state_metadata.json'
        $saved = [IO.File]::ReadAllBytes($metadata)
        try {
            [IO.File]::WriteAllText($metadata, '{"generation": "not a number"')
            $r = Get-Http $HealthUri
            $r.Status | Should -Be 503
            $r.Body | Should -Match '^\w+: '
            (Get-Http $Served.MetricsUri).Status | Should -Be 503
        }
        finally { [IO.File]::WriteAllBytes($metadata, $saved) }
        (Get-Http $HealthUri).Status | Should -Be 200
    }
}

Describe 'Watch-ClusterState' {
    BeforeAll {
        $script:StatePath = Join-Path $TestDrive 'watch'
        New-TestState -Path $StatePath -NodeCount 10 -TaskCount 200 -ContentCount 50 -Seed 22 | Out-Null
        $script:Ids = @((Get-ClusterTask -StatePath $StatePath | Select-Object -First 5).Id)
    }

    It 'reports every commit of another process once, in order, with its changes' {
        $start = (Get-ClusterMetadata -StatePath $StatePath).Generation
        $script = @"
Import-Module '$env:CLUSTERSTATE_MODULE'
Start-Sleep -Milliseconds 1500
Set-ClusterTask -StatePath '$StatePath' -Id '$($Ids[0])' -Status running -Force
Add-ClusterContent -StatePath '$StatePath' -Cid 'bafy-watch-1' -Size 10
Start-Sleep -Milliseconds 300
'$($Ids[1])', '$($Ids[2])' | Set-ClusterTask -StatePath '$StatePath' -Status failed -Force
Remove-ClusterContent -StatePath '$StatePath' -Cid 'bafy-watch-1' -Confirm:`$false
Start-Sleep -Milliseconds 300
Add-ClusterNode -StatePath '$StatePath' -Id 'node-watch' -Role worker -Status online
"@
        $child = Start-ChildPwsh -Script $script -OutFile (Join-Path $TestDrive 'watch-child.txt')
        try {
            $changes = @(Watch-ClusterState -StatePath $StatePath -Count 5 -Timeout 60)
        }
        finally { $child.WaitForExit(60000) | Out-Null }
        $child.ExitCode | Should -Be 0 -Because (Get-Content (Join-Path $TestDrive 'watch-child.txt') -Raw)
        $changes.Count | Should -Be 5
        $changes.Generation | Should -Be (($start + 1)..($start + 5))
        $changes | ForEach-Object { $_.Known | Should -BeTrue; $_.Replaced | Should -BeFalse }
        $changes[0].Tasks.UpdatedIds | Should -Be @($Ids[0])
        $changes[1].Content.AddedIds | Should -Be @('bafy-watch-1')
        $changes[1].Tasks.Updated | Should -Be 0
        $changes[2].Tasks.Updated | Should -Be 2
        $changes[2].Tasks.UpdatedIds | Should -Be @($Ids[1], $Ids[2])
        $changes[3].Content.RemovedIds | Should -Be @('bafy-watch-1')
        $changes[4].Nodes.AddedIds | Should -Be @('node-watch')
        $changes[0].ChangedTasks.Status | Should -Be 'running'
        $changes[1].ChangedContent.Size | Should -Be 10
        $changes[4].ChangedNodes.Role | Should -Be 'worker'
        $changes[4].ChangedNodes.Status | Should -Be 'online'

        $changes | ForEach-Object { $_.CommittedAt | Should -Not -BeNullOrEmpty }
    }

    It 'catches up from an earlier generation, marks replaced states, and stops at -Timeout' {
        $g = (Get-ClusterMetadata -StatePath $StatePath).Generation
        Set-ClusterNode -StatePath $StatePath -Id 'node-watch' -Status draining
        $checkpoint = Save-ClusterStateCheckpoint -StatePath $StatePath
        $checkpoint | Restore-ClusterState -Confirm:$false | Out-Null
        $changes = @(Watch-ClusterState -StatePath $StatePath -AfterGeneration $g -Timeout 0.5)
        $changes.Generation | Should -Be @(($g + 1), ($g + 2))
        $changes[0].Nodes.UpdatedIds | Should -Be @('node-watch')
        $changes[1].Replaced | Should -BeTrue
        $clock = [Diagnostics.Stopwatch]::StartNew()
        @(Watch-ClusterState -StatePath $StatePath -Timeout 0.5).Count | Should -Be 0
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
    }
}

Describe 'Watch-ClusterState returns the changed objects (from the commit log)' {
    BeforeAll {
        $script:StatePath = Join-Path $TestDrive 'feed'
        New-TestState -Path $StatePath -NodeCount 10 -TaskCount 200 -ContentCount 50 -Seed 24 | Out-Null
        $script:Compare = {
            # The emitted task equals the task as the state holds it after the commit (every field Get-ClusterTask shows).
            param($Emitted, $Stored)
            foreach ($p in 'Id', 'Type', 'Status', 'AssignedTo', 'CreatedAt', 'UpdatedAt', 'MemoryMB', 'CpuCores', 'GpuCores', 'InputCid', 'OutputCid') {
                $Emitted.$p | Should -Be $Stored.$p -Because "$p of $($Stored.Id)"
            }
        }
    }

    It 'emits every added and changed task complete, and every removed id, past 100 of each' {
        $g = (Get-ClusterMetadata -StatePath $StatePath).Generation
        $new = 1..150 | ForEach-Object { [pscustomobject]@{ Id = "feed-$_"; Type = 'inference'; MemoryMB = 1000 + $_; CpuCores = $_ % 8 } }
        $new | Add-ClusterTask -StatePath $StatePath
        $existing = @(Get-ClusterTask -StatePath $StatePath | Where-Object Id -notlike 'feed-*' | Select-Object -First 120)
        $existing.Id | Set-ClusterTask -StatePath $StatePath -MemoryMB 4321
        Remove-ClusterTask -StatePath $StatePath -Id ($new.Id | Select-Object -First 110) -Confirm:$false
        $changes = @(Watch-ClusterState -StatePath $StatePath -AfterGeneration $g -Timeout 0.5)
        $changes.Generation | Should -Be @(($g + 1)..($g + 3))
        $changes | ForEach-Object { $_.Known | Should -BeTrue }

        $changes[0].Tasks.Added | Should -Be 150
        $changes[0].Tasks.AddedIds | Should -Be $new.Id
        $changes[0].ChangedTasks.Count | Should -Be 150
        $changes[0].ChangedTasks[0] | Should -BeOfType ([ClusterState.ClusterTask])
        $changes[0].ChangedTasks.MemoryMB | Should -Be ($new.MemoryMB)
        $changes[0].ChangedTasks.CpuCores | Should -Be ($new.CpuCores)

        $changes[1].Tasks.Updated | Should -Be 120
        $changes[1].Tasks.Added | Should -Be 0
        @($changes[1].Tasks.UpdatedIds | Sort-Object) | Should -Be @($existing.Id | Sort-Object)
        $now = @{}
        Get-ClusterTask -StatePath $StatePath -Id $existing.Id | ForEach-Object { $now[$_.Id] = $_ }
        $changes[1].ChangedTasks.Count | Should -Be 120
        foreach ($t in $changes[1].ChangedTasks) {
            $t.MemoryMB | Should -Be 4321
            & $Compare $t $now[$t.Id]
        }

        $changes[2].Tasks.Removed | Should -Be 110
        $changes[2].Tasks.RemovedIds | Should -Be @($new.Id | Select-Object -First 110)
        $changes[2].ChangedTasks.Count | Should -Be 0
    }

    It 'reports the commits a compaction folded while it watched, and says which it cannot know' {
        $g = (Get-ClusterMetadata -StatePath $StatePath).Generation
        # Another process: five commits, a compaction that folds them into a new base (the old log
        # then goes: cleanup keeps the files of the newest three generations' bases), two commits more.
        $script = @"
Import-Module '$env:CLUSTERSTATE_MODULE'
Start-Sleep -Milliseconds 1500
foreach (`$n in 1..5) { Add-ClusterTask -StatePath '$StatePath' -Id "fold-`$n" -Type training -MemoryMB (100 * `$n) }
Optimize-ClusterState -StatePath '$StatePath' -Confirm:`$false | Out-Null
Start-Sleep -Milliseconds 500
foreach (`$n in 6..7) { Add-ClusterTask -StatePath '$StatePath' -Id "fold-`$n" -Type training -MemoryMB (100 * `$n) }
"@
        $child = Start-ChildPwsh -Script $script -OutFile (Join-Path $TestDrive 'feed-child.txt')
        try {
            $changes = @(Watch-ClusterState -StatePath $StatePath -Count 7 -Timeout 60)
        }
        finally { $child.WaitForExit(60000) | Out-Null }
        $child.ExitCode | Should -Be 0 -Because (Get-Content (Join-Path $TestDrive 'feed-child.txt') -Raw)
        $changes.Generation | Should -Be @(($g + 1)..($g + 7))
        $changes | ForEach-Object { $_.Known | Should -BeTrue }
        $changes.ChangedTasks.Id | Should -Be @(1..7 | ForEach-Object { "fold-$_" })
        $changes.ChangedTasks.MemoryMB | Should -Be @(1..7 | ForEach-Object { 100 * $_ })
        (Get-ClusterMetadata -StatePath $StatePath).Generation | Should -Be ($g + 7)

        # A watcher that starts later finds the folded commits' log gone: unknown, with no objects
        # (never guessed); the commits in the new base's log are known.
        Get-ChildItem $StatePath -Filter 'commits_*.arrows' | Where-Object { [long]($_.BaseName -replace 'commits_') -lt $g + 5 } | Remove-Item
        $late = @(Watch-ClusterState -StatePath $StatePath -AfterGeneration $g -Timeout 0.5)
        $late.Generation | Should -Be @(($g + 1)..($g + 7))
        $late[0..4] | ForEach-Object { $_.Known | Should -BeFalse; $_.ChangedTasks.Count | Should -Be 0 }
        $late[5..6] | ForEach-Object { $_.Known | Should -BeTrue }
        $late[5..6].ChangedTasks.Id | Should -Be @('fold-6', 'fold-7')
    }

    It 'ignores and then removes the changes.json of the earlier layout' {
        Set-Content -Path (Join-Path $StatePath 'changes.json') -Value '[{"generation": 1, "replaced": true}]'
        $g = (Get-ClusterMetadata -StatePath $StatePath).Generation
        Set-ClusterTask -StatePath $StatePath -Id 'fold-7' -MemoryMB 1
        $change = @(Watch-ClusterState -StatePath $StatePath -AfterGeneration $g -Timeout 0.5)
        $change.Count | Should -Be 1
        $change[0].ChangedTasks.MemoryMB | Should -Be 1
        Optimize-ClusterState -StatePath $StatePath -Confirm:$false | Out-Null
        Start-Sleep -Milliseconds 500
        Test-Path (Join-Path $StatePath 'changes.json') | Should -BeFalse
    }
}

Describe 'Wait-ClusterTask' {
    BeforeAll {
        $script:StatePath = Join-Path $TestDrive 'wait'
        New-TestState -Path $StatePath -NodeCount 10 -TaskCount 200 -ContentCount 50 -Seed 23 | Out-Null
        $script:Task = Find-ClusterTask -StatePath $StatePath -Status pending | Select-Object -First 1
    }

    It 'returns within a second of the commit another process makes' {
        $script = @"
Import-Module '$env:CLUSTERSTATE_MODULE'
Start-Sleep -Milliseconds 1500
Set-ClusterTask -StatePath '$StatePath' -Id '$($Task.Id)' -Status running
Start-Sleep -Milliseconds 500
Set-ClusterTask -StatePath '$StatePath' -Id '$($Task.Id)' -Status completed
"@
        $child = Start-ChildPwsh -Script $script -OutFile (Join-Path $TestDrive 'wait-child.txt')
        try {
            $done = Wait-ClusterTask -StatePath $StatePath -Id $Task.Id -Timeout 60
            $returned = [DateTime]::UtcNow
        }
        finally { $child.WaitForExit(60000) | Out-Null }
        $child.ExitCode | Should -Be 0 -Because (Get-Content (Join-Path $TestDrive 'wait-child.txt') -Raw)
        $done.Id | Should -Be $Task.Id
        $done.Status | Should -Be 'completed'
        $committed = (Get-ClusterMetadata -StatePath $StatePath).UpdatedAt
        ($returned - $committed).TotalSeconds | Should -BeLessThan 1
    }

    It 'fails with WaitTimeout naming the tasks still waiting, and TaskNotFound for an unknown id' {
        $other = (Find-ClusterTask -StatePath $StatePath -Status pending | Select-Object -First 1).Id
        $err = { Wait-ClusterTask -StatePath $StatePath -Id $other -Status completed -Timeout 0.3 -ErrorAction Stop } | Should -Throw -ErrorId 'WaitTimeout*' -PassThru
        $err.CategoryInfo.Category | Should -Be 'OperationTimeout'
        $err.Exception.Message | Should -Match ([regex]::Escape($other))
        { Wait-ClusterTask -StatePath $StatePath -Id 'no-such-task' -Timeout 1 -ErrorAction Stop } | Should -Throw -ErrorId 'TaskNotFound*'
        # Already there: returns at once.
        (Wait-ClusterTask -StatePath $StatePath -Id $other -Status pending -Timeout 0).Id | Should -Be $other
    }
}

Describe 'Progress of long operations' {
    BeforeAll {
        $script:StatePath = Join-Path $TestDrive 'progress'
        New-TestState -Path $StatePath -NodeCount 20 -TaskCount 70000 -ContentCount 1000 -Seed 24 | Out-Null
    }

    It '<Activity> reports percent complete and completes' -ForEach @(
        @{ Activity = 'Export-ClusterState'; Command = "Export-ClusterState -StatePath '{0}' -Path '{1}/p-json.json' -Format Json" }
        @{ Activity = 'Export-ClusterState'; Command = "Export-ClusterState -StatePath '{0}' -Path '{1}/p-parquet' -Format Parquet" }
        @{ Activity = 'Save-ClusterStateCheckpoint'; Command = "Save-ClusterStateCheckpoint -StatePath '{0}'" }
        @{ Activity = 'Export-ClusterReport'; Command = "Export-ClusterReport -StatePath '{0}' -Path '{1}/p-report.html' -NoGraphviz" }
        @{ Activity = 'New-ClusterState'; Command = "New-ClusterState -Path '{1}/p-new' -NodeCount 10 -TaskCount 120000 -ContentCount 10 | Out-Null" }
        @{ Activity = 'Update-ClusterStateSchema'; Command = "`$s = [ClusterState.SampleCluster]::new([ClusterState.SampleOptions]@{{ TaskCount = 70000 }}); `$null = [ClusterState.StateStore]::Create('{1}/p-v1', `$s.ToStateContent(), [ClusterState.CreateStateOptions]@{{ SchemaVersion = 1 }}); Update-ClusterStateSchema -StatePath '{1}/p-v1'" }
    ) {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$env:CLUSTERSTATE_MODULE'; " + ($Command -f $StatePath, $TestDrive)).Invoke()
            $ps.HadErrors | Should -BeFalse -Because ($ps.Streams.Error | Out-String)
            $records = @($ps.Streams.Progress | Where-Object Activity -eq $Activity)
            $records.Count | Should -BeGreaterThan 1
            ($records | Where-Object PercentComplete -gt 0).Count | Should -BeGreaterThan 0
            $records[-1].RecordType | Should -Be 'Completed'
        }
        finally { $ps.Dispose() }
    }
}

Describe 'Export-ClusterReport' {
    BeforeAll {
        $script:StatePath = Join-Path $TestDrive 'report'
        New-TestState -Path $StatePath -NodeCount 40 -TaskCount 3000 -ContentCount 600 -Seed 25 | Out-Null
        $script:Report = Join-Path $TestDrive 'report.html'
        $script:File = Export-ClusterReport -StatePath $StatePath -Path $Report -NoGraphviz -PassThru
        $script:Html = Get-Content $Report -Raw
        $script:Artifacts = Join-Path $PSScriptRoot '../out/test-results'
        New-Item -ItemType Directory -Force $Artifacts | Out-Null
        function Invoke-Chromium([string[]] $Arguments) {
            $chromium = Assert-TestTool chromium
            $profile = Join-Path $TestDrive ('chromium-' + [guid]::NewGuid().ToString('N'))
            $psi = [Diagnostics.ProcessStartInfo]::new($chromium)
            foreach ($a in @('--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
                    '--disable-component-update', '--disable-sync', "--user-data-dir=$profile", '--enable-logging=stderr', '--v=0') + $Arguments) { $psi.ArgumentList.Add($a) }
            $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true; $psi.UseShellExecute = $false
            $p = [Diagnostics.Process]::Start($psi)
            $out = $p.StandardOutput.ReadToEndAsync(); $err = $p.StandardError.ReadToEndAsync()
            if (-not $p.WaitForExit(120000)) { $p.Kill($true); throw 'chromium did not finish in 120 s' }
            [pscustomobject]@{ ExitCode = $p.ExitCode; Out = $out.Result; Err = $err.Result }
        }
    }

    It 'is one self-contained page with the topology and the three charts' {
        $File.FullName | Should -Be $Report
        foreach ($id in 'topology-graph', 'utilization-chart', 'tasks-chart', 'replication-chart') { $Html | Should -Match "id=`"$id`"" }
        # Nothing is fetched: no external scripts, styles, images or frames.
        $Html | Should -Not -Match '<(script|img|iframe)[^>]+src='
        $Html | Should -Not -Match '<link[^>]+href='
        $Html | Should -Match ([regex]::Escape((Get-ClusterMetadata -StatePath $StatePath).ClusterId))
        # Every task type appears as a row of the tasks chart, with its count.
        foreach ($g in Get-ClusterTask -StatePath $StatePath | Group-Object Type) { $Html | Should -Match ">$([regex]::Escape($g.Name))<" }
        { Export-ClusterReport -StatePath $StatePath -Path $Report -ErrorAction Stop } | Should -Throw -ErrorId 'ExportTargetExists*'
        Export-ClusterReport -StatePath $StatePath -Path (Join-Path $TestDrive 'whatif.html') -WhatIf
        Test-Path (Join-Path $TestDrive 'whatif.html') | Should -BeFalse
    }

    It 'lays the topology out with Graphviz dot when it is installed' {
        Assert-TestTool dot | Out-Null
        $file = Join-Path $TestDrive 'report-dot.html'
        Export-ClusterReport -StatePath $StatePath -Path $file
        $html = Get-Content $file -Raw
        $html | Should -Match 'Layout: Graphviz dot'
        $html | Should -Match '<svg id="topology-graph"'
        ([regex]::Matches($html, '<g id="node\d+" class="node"')).Count | Should -Be 40
        $html | Should -Not -Match '<!DOCTYPE svg'
        $dom = Invoke-Chromium @('--dump-dom', [Uri]::new($file).AbsoluteUri)
        $dom.Out | Should -Match 'data-charts="4"'
    }

    It 'renders in headless Chromium without console errors, and a screenshot is kept' {
        $dom = Invoke-Chromium @('--dump-dom', [Uri]::new($Report).AbsoluteUri)
        $dom.ExitCode | Should -Be 0 -Because $dom.Err
        $dom.Out | Should -Match 'data-ready="yes"'
        $dom.Out | Should -Match 'data-charts="4"'
        ([regex]::Matches($dom.Out, '<circle class="node"')).Count | Should -Be 40
        ([regex]::Matches($dom.Out, 'class="bar"')).Count | Should -BeGreaterThan 40
        @($dom.Err -split "`n" | Where-Object { $_ -match 'CONSOLE|Uncaught' }) | Should -BeNullOrEmpty
        $png = Join-Path $Artifacts 'cluster-report.png'
        Remove-Item $png -ErrorAction SilentlyContinue
        $shot = Invoke-Chromium @("--screenshot=$png", '--window-size=1280,2400', '--hide-scrollbars', [Uri]::new($Report).AbsoluteUri)
        $shot.ExitCode | Should -Be 0 -Because $shot.Err
        (Get-Item $png).Length | Should -BeGreaterThan 20KB
    }
}
