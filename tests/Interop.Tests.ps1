# Another language reads the snapshot: Node.js with the official apache-arrow package,
# installed from the lock file in tests/interop/node.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:NodeDir = Join-Path $PSScriptRoot 'interop/node'
    $script:Node = Get-Command node -ErrorAction SilentlyContinue
    if ($Node -and -not (Test-Path (Join-Path $NodeDir 'node_modules/apache-arrow'))) {
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

    It 'takes a commit and stays version 1, now in the zero-copy layout' {
        Set-ClusterTask -StatePath $JsState -Id js-t2 -Status cancelled
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
