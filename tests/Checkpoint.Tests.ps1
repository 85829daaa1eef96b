# Parquet checkpoints: save, list, keep, restore; damaged and foreign checkpoints.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    function AllRows([string] $Path) {
        (@(Get-ClusterNode -StatePath $Path) + @(Get-ClusterTask -StatePath $Path) + @(Get-ClusterContent -StatePath $Path)) | ConvertTo-Json -Depth 4 -Compress
    }
    $script:StatePath = Join-Path $TestDrive 'cp'
    $script:Sample = New-TestState -Path $StatePath -NodeCount 25 -TaskCount 1500 -ContentCount 300 -Seed 41
}

Describe 'Save-ClusterStateCheckpoint and Get-ClusterStateCheckpoint' {
    It 'writes the timestamped and the latest checkpoint and records parquet_path' {
        $c = Save-ClusterStateCheckpoint -StatePath $StatePath
        $c | Should -BeOfType ([ClusterState.CheckpointInfo])
        Test-Path $c.Path | Should -BeTrue
        $c.Path | Should -Match "checkpoints/state_$($Sample.ClusterId)_\d+\.parquet$"
        $latest = Join-Path $StatePath "state_$($Sample.ClusterId).parquet"
        (Get-FileHash $latest).Hash | Should -Be (Get-FileHash $c.Path).Hash
        (Get-ClusterMetadata -StatePath $StatePath).ParquetPath | Should -Be $latest
        (Get-Content -Raw (Join-Path $StatePath 'state_metadata.json') | ConvertFrom-Json).parquet_path | Should -Be $latest
    }

    It 'lists newest first and keeps only the newest -Keep' {
        1..3 | ForEach-Object { Save-ClusterStateCheckpoint -StatePath $StatePath -Keep 2 | Out-Null }
        $list = Get-ClusterStateCheckpoint -StatePath $StatePath
        $list.Count | Should -Be 2
        $list[0].CreatedAt | Should -BeGreaterThan $list[1].CreatedAt
        $list.ClusterId | Should -Be @($Sample.ClusterId, $Sample.ClusterId)
    }

    It 'changes nothing with -WhatIf' {
        $before = @(Get-ClusterStateCheckpoint -StatePath $StatePath).Count
        Save-ClusterStateCheckpoint -StatePath $StatePath -WhatIf
        @(Get-ClusterStateCheckpoint -StatePath $StatePath).Count | Should -Be $before
    }
}

Describe 'Restore-ClusterState' {
    It 'round-trips state -> checkpoint -> restore exactly (nulls and empty lists included) as a new generation' {
        $expected = AllRows $StatePath
        $checkpoint = Save-ClusterStateCheckpoint -StatePath $StatePath
        Find-ClusterTask -StatePath $StatePath -Status failed | Set-ClusterTask -StatePath $StatePath -Status pending
        Get-ClusterContent -StatePath $StatePath -Orphaned | Remove-ClusterContent -StatePath $StatePath -Confirm:$false
        AllRows $StatePath | Should -Not -Be $expected
        $generation = (Get-ClusterMetadata -StatePath $StatePath).Generation
        $m = $checkpoint | Restore-ClusterState -Confirm:$false
        $m.Generation | Should -Be ($generation + 1)
        AllRows $StatePath | Should -Be $expected
        (Get-ClusterMetadata -StatePath $StatePath).ParquetPath | Should -Not -BeNullOrEmpty
    }

    It 'refuses a damaged checkpoint and a checkpoint of another cluster, changing nothing' {
        $good = (Get-ClusterStateCheckpoint -StatePath $StatePath)[0].Path
        $bytes = [IO.File]::ReadAllBytes($good)
        $broken = Join-Path $TestDrive 'broken.parquet'
        [IO.File]::WriteAllBytes($broken, $bytes[0..($bytes.Length / 2)])
        $generation = (Get-ClusterMetadata -StatePath $StatePath).Generation
        { Restore-ClusterState -StatePath $StatePath -Checkpoint $broken -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'CheckpointCorrupt*'
        { Restore-ClusterState -StatePath $StatePath -Checkpoint (Join-Path $TestDrive 'none.parquet') -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'CheckpointNotFound*'
        $other = Join-Path $TestDrive 'other'
        New-TestState -Path $other -NodeCount 3 -TaskCount 5 -ContentCount 2 -Seed 7 | Out-Null
        $foreign = (Save-ClusterStateCheckpoint -StatePath $other).Path
        { Restore-ClusterState -StatePath $StatePath -Checkpoint $foreign -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'CheckpointClusterMismatch*'
        (Get-ClusterMetadata -StatePath $StatePath).Generation | Should -Be $generation
    }
}

Describe 'DuckDB reads a nested checkpoint' {
    BeforeAll {
        # Pester removes what a Describe created when it ends: this block makes its own state.
        $script:StatePath = Join-Path $TestDrive 'cp-duck'
        New-TestState -Path $StatePath -NodeCount 25 -TaskCount 1500 -ContentCount 300 -Seed 42 | Out-Null
    }

    It 'finds the same counts and values as the module' {
        $node = Get-Command node -ErrorAction Stop
        $duckDir = Join-Path $PSScriptRoot 'interop/duckdb'
        if (-not (Test-Path (Join-Path $duckDir 'node_modules/@duckdb/node-api'))) {
            Push-Location $duckDir
            try { & npm ci --no-audit --no-fund --loglevel=error | Out-Host } finally { Pop-Location }
        }
        $c = Save-ClusterStateCheckpoint -StatePath $StatePath
        $r = & $node.Source (Join-Path $duckDir 'query-checkpoint.mjs') $c.Path | ConvertFrom-Json
        $LASTEXITCODE | Should -Be 0
        $m = Get-ClusterMetadata -StatePath $StatePath
        $r.cluster_id | Should -Be $m.ClusterId
        [int]$r.nodes | Should -Be $m.NodeCount
        [int]$r.tasks | Should -Be $m.TaskCount
        [int]$r.content | Should -Be $m.ContentCount
        [int]$r.failed | Should -Be @(Find-ClusterTask -StatePath $StatePath -Status failed).Count
        $first = Get-ClusterTask -StatePath $StatePath | Select-Object -First 1
        $r.first_task | Should -Be $first.Id
        $r.first_inputs | Should -Be $first.InputCids
        [long]$r.first_memory | Should -Be (Get-ClusterNode -StatePath $StatePath | Select-Object -First 1).MemoryTotal
    }
}
