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
