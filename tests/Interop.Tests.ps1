# Another language reads the snapshot: Node.js with the official apache-arrow package,
# installed from the lock file in tests/interop/node; and a stranger's Flight client of the
# server (grpc-js + apache-arrow, built from docs/FORMAT.md and Arrow's Flight.proto).
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:NodeDir = Join-Path $PSScriptRoot 'interop/node'
    $script:Node = Get-Command node -ErrorAction SilentlyContinue
    $needed = 'apache-arrow', '@grpc/grpc-js', '@grpc/proto-loader'
    if ($Node -and ($needed | Where-Object { -not (Test-Path (Join-Path $NodeDir "node_modules/$_")) })) {
        Push-Location $NodeDir
        try { & npm ci --no-audit --no-fund --loglevel=error | Out-Host } finally { Pop-Location }
        if ($LASTEXITCODE -ne 0) { throw "npm ci failed with exit code $LASTEXITCODE." }
    }
}

Describe 'Node.js (apache-arrow) reads the snapshot' {
    It 'finds the same cluster id, counts and a task''s nested fields' {
        if (-not $Node) { throw 'Node.js is required for the interop test (it is part of the supported machine).' }
        $path = Join-Path $TestDrive 'node-state'
        $sample = New-TestState -Path $path -NodeCount 25 -TaskCount 1500 -ContentCount 400 -Seed 21
        $tasks = @($sample.Tasks)
        $index = [array]::FindIndex($tasks, [Predicate[object]] { param($t) $t.Status -eq 'completed' -and $t.GpuCores -gt 0 -and $t.InputCids.Count -gt 1 })
        $index | Should -BeGreaterOrEqual 0
        $held = Get-ClusterState -StatePath $path   # this process keeps it mapped meanwhile
        try {
            $json = & $Node.Source (Join-Path $NodeDir 'read-snapshot.mjs') $path $index
            $LASTEXITCODE | Should -Be 0
        }
        finally { $held.Dispose() }
        $r = $json | ConvertFrom-Json
        $r.clusterId | Should -Be $sample.ClusterId
        $r.masterId | Should -Be $sample.MasterId
        $r.schemaVersion | Should -Be '2'
        $r.generation | Should -Be '1'
        $r.nodeCount | Should -Be 25
        $r.taskCount | Should -Be 1500
        $r.contentCount | Should -Be 400
        $t = $tasks[$index]
        $r.task.id | Should -Be $t.Id
        $r.task.status | Should -Be 'completed'
        $r.task.assignedTo | Should -Be $t.AssignedTo
        $r.task.gpuCores | Should -Be $t.GpuCores
        $r.task.memoryMb | Should -Be $t.MemoryMB
        $r.task.inputCids | Should -Be $t.InputCids
        $r.task.outputCids | Should -Be $t.OutputCids
        ([datetime]$r.task.startedAt).ToUniversalTime() | Should -Be $t.StartedAt
        ([datetime]$r.task.completedAt).ToUniversalTime() | Should -Be $t.CompletedAt
        $r.firstNode.id | Should -Be $sample.Nodes[0].Id
        $r.firstNode.peers | Should -Be $sample.Nodes[0].Peers
        $r.firstNode.memoryTotal | Should -Be $sample.Nodes[0].MemoryTotal
    }
}

Describe 'Node.js (apache-arrow) reads a state with a commit log by the FORMAT.md merge rule' {
    # tests/interop/node/read-state-with-log.mjs holds the JavaScript of docs/FORMAT.md "The commit
    # log" unchanged: base + log merged by the documented rule must give the module's answers —
    # the same rows in the same order — before and after the log is folded into a new base.
    BeforeAll {
        $script:LogState = Join-Path $TestDrive 'log-state'
        New-ClusterState -Path $LogState -NodeCount 12 -TaskCount 200 -ContentCount 50 -Seed 15 -Force | Out-Null
        $script:BaseTasks = @(Get-ClusterTask -StatePath $LogState)
        $c = @(Get-ClusterContent -StatePath $LogState)
        $t = $BaseTasks
        Add-ClusterNode -StatePath $LogState -Id node-js-1 -Role worker -CpuCount 8 -MemoryTotal 16GB -MemoryAvailable 8GB
        Add-ClusterTask -StatePath $LogState -Id task-js-new -Type compute -InputCid bafy-js -MemoryMB 512
        Set-ClusterTask -StatePath $LogState -Id $t[3].Id -Status failed -MemoryMB 777
        Set-ClusterTask -StatePath $LogState -Id task-js-new -Status running -AssignedTo node-js-1
        Remove-ClusterTask -StatePath $LogState -Id $t[5].Id, $t[8].Id -Confirm:$false
        # A removed base id comes back: it is new, so it goes last.
        Add-ClusterTask -StatePath $LogState -Id $t[5].Id -Type compute -InputCid bafy-back -MemoryMB 99
        # So does an id the log itself added, removed and added again.
        Remove-ClusterTask -StatePath $LogState -Id task-js-new -Confirm:$false
        Add-ClusterTask -StatePath $LogState -Id task-js-new -Type compute -InputCid bafy-js-2 -AssignedTo node-js-1
        Set-ClusterTask -StatePath $LogState -Id $t[5].Id -MemoryMB 2048
        Set-ClusterContent -StatePath $LogState -Cid $c[2].Cid -Replication 7 -AddProvider node-js-1
        Remove-ClusterContent -StatePath $LogState -Cid $c[4].Cid -Confirm:$false

        function script:Read-WithNode([string] $Path) {
            $json = & $Node.Source (Join-Path $NodeDir 'read-state-with-log.mjs') $Path
            if ($LASTEXITCODE -ne 0) { throw "read-state-with-log.mjs failed with exit code $LASTEXITCODE." }
            $json | ConvertFrom-Json
        }
        # arrow-js gives timestamps as epoch milliseconds.
        function script:Time($ms) { if ($null -eq $ms) { $null } else { [DateTimeOffset]::FromUnixTimeMilliseconds([long]$ms).UtcDateTime } }
        function script:Assert-SameAsModule($R, [string] $Path) {
            $tasks = @(Get-ClusterTask -StatePath $Path)
            $nodes = @(Get-ClusterNode -StatePath $Path)
            $content = @(Get-ClusterContent -StatePath $Path)
            @($R.ids.tasks) | Should -Be $tasks.Id
            @($R.ids.nodes) | Should -Be $nodes.Id
            @($R.ids.content) | Should -Be $content.Cid
            for ($i = 0; $i -lt $tasks.Count; $i++) {
                $j = $R.rows.tasks[$i]; $m = $tasks[$i]
                $j.status | Should -Be $m.Status -Because $m.Id
                $j.assigned_to | Should -Be $m.AssignedTo -Because $m.Id
                $j.resources.memory_mb | Should -Be $m.MemoryMB -Because $m.Id
                (@($j.input_cids) -join ' ') | Should -Be ($m.InputCids -join ' ') -Because $m.Id
                (Time $j.created_at) | Should -Be $m.CreatedAt -Because $m.Id
                (Time $j.updated_at) | Should -Be $m.UpdatedAt -Because $m.Id
                (Time $j.started_at) | Should -Be $m.StartedAt -Because $m.Id
                (Time $j.completed_at) | Should -Be $m.CompletedAt -Because $m.Id
            }
            for ($i = 0; $i -lt $nodes.Count; $i++) {
                $j = $R.rows.nodes[$i]; $m = $nodes[$i]
                $j.status | Should -Be $m.Status -Because $m.Id
                (@($j.peers) -join ' ') | Should -Be ($m.Peers -join ' ') -Because $m.Id
                $j.resources.memory_total | Should -Be $m.Resources.MemoryTotal -Because $m.Id
            }
            for ($i = 0; $i -lt $content.Count; $i++) {
                $j = $R.rows.content[$i]; $m = $content[$i]
                $j.replication | Should -Be $m.Replication -Because $m.Cid
                (@($j.providers) -join ' ') | Should -Be ($m.Providers -join ' ') -Because $m.Cid
                $j.size | Should -Be $m.Size -Because $m.Cid
                (Time $j.created_at) | Should -Be $m.CreatedAt -Because $m.Cid
            }
        }
    }

    It 'runs the JavaScript that docs/FORMAT.md shows, unchanged' {
        $doc = Get-Content (Join-Path $PSScriptRoot '../docs/FORMAT.md') -Raw
        $shown = [regex]::Match($doc, '(?s)\*\*JavaScript\*\*.*?```js\n(.*?)```').Groups[1].Value
        $source = Get-Content (Join-Path $NodeDir 'read-state-with-log.mjs') -Raw
        $tested = [regex]::Match($source, '(?s)// --- the code shown in docs/FORMAT.md, unchanged ---\n(.*?)// --- end of the documented code ---').Groups[1].Value
        $tested | Should -Not -BeNullOrEmpty
        (($shown -split '\n' | Where-Object { $_ -notmatch '^import ' }) -join "`n").TrimEnd() | Should -BeExactly $tested.TrimEnd()
        foreach ($import in [regex]::Matches($shown, '(?m)^import .*$')) { $source | Should -Match ([regex]::Escape($import.Value)) }
    }

    It 'merges base and log as the module reads them: same ids in the same order, same values' {
        $meta = Get-Content (Join-Path $LogState 'state_metadata.json') -Raw | ConvertFrom-Json
        $meta.log | Should -Be 'commits_1.arrows'
        $meta.generation | Should -Be 12
        $script:Merged = Read-WithNode $LogState
        $Merged.generation | Should -Be 12
        Assert-SameAsModule $Merged $LogState
        # What the commits did, as the rule says.
        $t = $BaseTasks
        $Merged.ids.tasks.Count | Should -Be 200
        @($Merged.ids.tasks)[-2, -1] | Should -Be @($t[5].Id, 'task-js-new')
        $Merged.ids.tasks | Should -Not -Contain $t[8].Id
        ($Merged.rows.tasks | Where-Object id -EQ $t[3].Id).status | Should -Be 'failed'
        ($Merged.rows.tasks | Where-Object id -EQ $t[3].Id).resources.memory_mb | Should -Be 777
        $back = $Merged.rows.tasks | Where-Object id -EQ $t[5].Id
        $back.input_cid, $back.resources.memory_mb | Should -Be @('bafy-back', 2048)
        ($Merged.rows.tasks | Where-Object id -EQ 'task-js-new').input_cid | Should -Be 'bafy-js-2'
        @($Merged.ids.nodes)[-1] | Should -Be 'node-js-1'
        $Merged.ids.content.Count | Should -Be 49
    }

    It 'reads the same rows after Optimize-ClusterState folds the log into a new base' {
        Optimize-ClusterState -StatePath $LogState
        $meta = Get-Content (Join-Path $LogState 'state_metadata.json') -Raw | ConvertFrom-Json
        # No log: the keys are gone (a reader of the first layout finds nothing new).
        $meta.PSObject.Properties.Name | Should -Not -Contain 'log'
        $meta.PSObject.Properties.Name | Should -Not -Contain 'log_length'
        $meta.generation | Should -Be 12
        $meta.snapshot | Should -Be 'snapshot_00000012.arrow'
        $r = Read-WithNode $LogState
        $r.log | Should -BeNullOrEmpty
        Assert-SameAsModule $r $LogState
        $r.rows | ConvertTo-Json -Depth 8 -Compress | Should -BeExactly ($Merged.rows | ConvertTo-Json -Depth 8 -Compress)
    }
}

Describe 'A Flight client built only from FORMAT.md (Node.js: grpc-js at default limits, apache-arrow)' {
    # tests/interop/node/flight-client.mjs knows the server only from the Flight section of
    # docs/FORMAT.md and Arrow's Flight.proto. Its channel keeps grpc's default 4 MiB receive
    # limit, so the server's chunks must stay under it. It runs once; each It checks one step.
    BeforeAll {
        $script:FlightState = Join-Path $TestDrive 'flight-state'
        New-ClusterState -Path $FlightState -NodeCount 40 -TaskCount 20000 -ContentCount 2000 -Seed 5 -Force | Out-Null
        $script:Before = Get-ClusterMetadata -StatePath $FlightState
        $script:FlightServer = Start-ClusterStateServer -StatePath $FlightState
        $env:CLUSTERSTATE_FLIGHT_TOKEN = $FlightServer.Token   # not on the command line
        try { $json = & $Node.Source (Join-Path $NodeDir 'flight-client.mjs') $FlightServer.Uri }
        finally { Remove-Item Env:CLUSTERSTATE_FLIGHT_TOKEN }
        if ($LASTEXITCODE -ne 0) { throw "flight-client.mjs failed with exit code $LASTEXITCODE." }
        $script:R = $json | ConvertFrom-Json
        $script:After = Get-ClusterMetadata -StatePath $FlightState

        function Assert-NoStepError($Step, [string] $Name) {
            if ($Step -isnot [array] -and $Step.error) { throw "$Name failed in the client: $($Step.error | ConvertTo-Json -Compress -Depth 4)" }
        }
    }
    AfterAll { if ($FlightServer) { $FlightServer | Stop-ClusterStateServer } }

    It 'lists the four flights with the counts Get-ClusterMetadata reports' {
        Assert-NoStepError $R.flights 'ListFlights'
        $R.flights.name | Should -Be @('state', 'nodes', 'tasks', 'content')
        $R.flights.totalRecords | Should -Be @(1, $Before.NodeCount, $Before.TaskCount, $Before.ContentCount)
        $Before.TaskCount | Should -Be 20000
    }

    It 'reads every chunk of tasks, and the ids are those of Get-ClusterTask' {
        Assert-NoStepError $R.tasks 'DoGet tasks'
        $R.tasks.rows | Should -Be 20000
        $R.tasks.generation | Should -Be ([string]$Before.Generation)
        $ids = [Collections.Generic.HashSet[string]]::new([string[]]$R.tasks.ids)
        $ids.Count | Should -Be 20000   # no id twice
        $ids.SetEquals([string[]](Get-ClusterTask -StatePath $FlightState).Id) | Should -BeTrue
        ($R.tasks.chunks | Measure-Object rows -Sum).Sum | Should -Be 20000
    }

    It 'gets every chunk under 4 MiB, the default gRPC receive limit' {
        Assert-NoStepError $R.tasks 'DoGet tasks'
        @($R.tasks.chunks).Count | Should -BeGreaterThan 1
        foreach ($chunk in $R.tasks.chunks) { $chunk.bytes | Should -BeLessThan 4MB -Because "a chunk of $($chunk.rows) rows" }
        $R.filtered.maxChunkBytes | Should -BeLessThan 4MB
    }

    It 'runs a filtered ticket that returns what Find-ClusterTask returns' {
        Assert-NoStepError $R.filtered 'DoGet with a JSON ticket'
        $R.filtered.rows | Should -Be @(Find-ClusterTask -StatePath $FlightState -Status pending).Count
        $R.filtered.rows | Should -BeGreaterThan 0
        $R.filtered.statuses | Should -Be @('pending')
    }

    It 'has a commit of an existing task id refused with ALREADY_EXISTS and DuplicateId, and nothing committed' {
        $c = $R.refusedCommit
        if ($c.unexpectedlyCommitted) { throw "the duplicate was committed: $($c.unexpectedlyCommitted | ConvertTo-Json -Compress -Depth 4)" }
        $c.duplicateId | Should -BeIn (Get-ClusterTask -StatePath $FlightState).Id
        $c.codeName | Should -Be 'ALREADY_EXISTS'
        $c.code | Should -Be 6
        $c.message | Should -Match '^DuplicateId: '
        $c.errorId | Should -Be 'DuplicateId'
        $c.trailers.'clusterstate-error-kind' | Should -Not -BeNullOrEmpty
        $c.target | Should -Be @($c.duplicateId)   # clusterstate-error-target, URL-escaped JSON
        $R.generationBefore | Should -Be $Before.Generation
        $R.generationAfter | Should -Be $Before.Generation
        $After.Generation | Should -Be $Before.Generation
    }

    It 'refuses an unknown field in a ticket''s query with INVALID_ARGUMENT naming the field' {
        $u = $R.unknownField
        if ($u.accepted) { throw "the ticket $($u.ticket | ConvertTo-Json -Compress) was accepted and streamed $($u.rows) rows" }
        $u.codeName | Should -Be 'INVALID_ARGUMENT' -Because "the query names no such field ($($u.message))"
        $u.message | Should -Match 'Stauts'
    }
}

Describe 'A state written by apache-arrow (JavaScript) in the seed schema, version 1' {
    BeforeAll {
        $script:JsState = Join-Path $TestDrive 'js-state'
        & $Node.Source (Join-Path $NodeDir 'write-v1-state.mjs') $JsState | Out-Null
        if ($LASTEXITCODE -ne 0) { throw "write-v1-state.mjs failed with exit code $LASTEXITCODE." }
    }

    It 'opens as version 1 and answers queries' {
        $m = Get-ClusterMetadata -StatePath $JsState
        $m.ClusterId | Should -Be 'js-cluster'
        $m.SchemaVersion | Should -Be 1
        $m.NodeCount, $m.TaskCount, $m.ContentCount | Should -Be @(3, 3, 3)
        (Get-ClusterNode -StatePath $JsState -Role worker -Status online).Id | Should -Be 'js-w1'
        (Get-ClusterNode -StatePath $JsState -Id js-w1).MemoryAvailable | Should -Be 20GB
        (Get-ClusterNode -StatePath $JsState -Id js-w2).Resources | Should -BeNullOrEmpty
        $t3 = Find-ClusterTask -StatePath $JsState -Status running
        $t3.Id | Should -Be 'js-t3'
        $t3.InputCids | Should -Be @('bafy-in', 'bafy-other')
        $t3.StartedAt | Should -BeNullOrEmpty          # not in version 1
        (Get-ClusterTask -StatePath $JsState -Id js-t1).CreatedAt | Should -Be ([datetime]::new(2026, 1, 15, 12, 0, 0, [DateTimeKind]::Utc))
        (Get-ClusterContent -StatePath $JsState -Orphaned).Cid | Should -Be 'bafy-orphan'
        (Find-ClusterNodeForTask -StatePath $JsState -TaskId js-t2).NodeId | Should -Be 'js-w1'
        (Get-ClusterTopology -StatePath $JsState).Connections.Count | Should -Be 2
    }

    It 'takes a commit and stays version 1; compacted, it is in the zero-copy layout' {
        Set-ClusterTask -StatePath $JsState -Id js-t2 -Status cancelled
        # The commit goes to the log; the base stays the file arrow-js wrote until the log is folded.
        Optimize-ClusterState -StatePath $JsState
        $s = Get-ClusterState -StatePath $JsState
        try {
            $s.Generation | Should -Be 2
            $s.SchemaVersion | Should -Be 1
            $s.IsZeroCopy() | Should -BeTrue
        }
        finally { $s.Dispose() }
        (Get-ClusterTask -StatePath $JsState -Id js-t2).Status | Should -Be 'cancelled'
    }
}

Describe 'DuckDB (@duckdb/node-api) reads the flat Parquet export' {
    BeforeAll {
        $script:DuckDir = Join-Path $PSScriptRoot 'interop/duckdb'
        if (-not (Test-Path (Join-Path $DuckDir 'node_modules/@duckdb/node-api'))) {
            Push-Location $DuckDir
            try { & npm ci --no-audit --no-fund --loglevel=error | Out-Host } finally { Pop-Location }
            if ($LASTEXITCODE -ne 0) { throw "npm ci failed with exit code $LASTEXITCODE." }
        }
    }

    It 'returns the same counts and values as the module' {
        $path = Join-Path $TestDrive 'duck-state'
        $sample = New-TestState -Path $path -NodeCount 40 -TaskCount 70000 -ContentCount 900 -Seed 23
        $export = Join-Path $TestDrive 'duck-export'
        $files = Export-ClusterState -StatePath $path -Path $export -Format Parquet -Layout Flat -PassThru
        $files.Name | Should -Be @('nodes.parquet', 'tasks.parquet', 'content.parquet')
        $tasks = @($sample.Tasks)
        $task = $tasks | Where-Object { $_.Status -eq 'completed' -and $_.InputCids.Count -gt 1 } | Select-Object -First 1
        $json = & $Node.Source (Join-Path $DuckDir 'query-export.mjs') $export $task.Id
        $LASTEXITCODE | Should -Be 0
        $r = $json | ConvertFrom-Json
        [long]$r.nodes.n | Should -Be 40
        [long]$r.nodes.workers | Should -Be (Get-ClusterNode -StatePath $path -Role worker).Count
        [long]$r.nodes.cpus | Should -Be ($sample.Nodes | Measure-Object CpuCount -Sum).Sum
        [long]$r.nodes.peers | Should -Be ($sample.Nodes | ForEach-Object { $_.Peers.Count } | Measure-Object -Sum).Sum
        [long]$r.tasks.n | Should -Be 70000
        [long]$r.tasks.failed | Should -Be @(Find-ClusterTask -StatePath $path -Status failed).Count
        [long]$r.tasks.pending_gpu | Should -Be @(Find-ClusterTask -StatePath $path -Status pending -MinGpuCores 1).Count
        [long]$r.tasks.inputs | Should -Be ($tasks | ForEach-Object { $_.InputCids.Count } | Measure-Object -Sum).Sum
        [long]$r.rowGroups.groups | Should -Be 2        # 65,536 rows per group
        $r.task.id | Should -Be $task.Id
        $r.task.assigned_to | Should -Be $task.AssignedTo
        [int]$r.task.memory_mb | Should -Be $task.MemoryMB
        $r.task.input_cids | Should -Be $task.InputCids
        [long]$r.task.created_ms | Should -Be ([DateTimeOffset]$task.CreatedAt).ToUnixTimeMilliseconds()
        [long]$r.task.completed_ms | Should -Be ([DateTimeOffset]$task.CompletedAt).ToUnixTimeMilliseconds()
        [long]$r.content.n | Should -Be 900
        [long]$r.content.bytes | Should -Be ($sample.Content | Measure-Object Size -Sum).Sum
        [long]$r.content.pinned | Should -Be @(Get-ClusterContent -StatePath $path -Pinned).Count
    }
}
