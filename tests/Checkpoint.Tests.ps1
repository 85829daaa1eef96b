# Parquet checkpoints: save, list, keep, restore; damaged and foreign checkpoints.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    function AllRows([string] $Path) {
        # Without StatePath: where each row was read from differs, its data must not.
        (@(Get-ClusterNode -StatePath $Path) + @(Get-ClusterTask -StatePath $Path) + @(Get-ClusterContent -StatePath $Path)) | Select-Object -Property * -ExcludeProperty StatePath | ConvertTo-Json -Depth 4 -Compress
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

Describe 'Export-ClusterState -Format Parquet -Layout Nested' {
    It 'writes one file in the state schema that imports back to the same rows' {
        $state = Join-Path $TestDrive 'nested-src'
        New-TestState -Path $state -NodeCount 7 -TaskCount 300 -ContentCount 40 -Seed 9 | Out-Null
        $file = Join-Path $TestDrive 'nested.parquet'
        $written = Export-ClusterState -StatePath $state -Path $file -Format Parquet -Layout Nested -PassThru
        @($written).Count | Should -Be 1
        $written.FullName | Should -Be $file
        $copy = Join-Path $TestDrive 'nested-copy'
        Import-ClusterState -Path $file -StatePath $copy | Out-Null
        AllRows $copy | Should -Be (AllRows $state)
        { Export-ClusterState -StatePath $state -Path $file -Format Parquet -Layout Nested -ErrorAction Stop } | Should -Throw -ErrorId 'ExportTargetExists*'
    }
}

Describe 'Checkpoint progress' {
    It 'reports per-column progress that ends completed' {
        $state = Join-Path $TestDrive 'cp-progress'
        New-TestState -Path $state -NodeCount 5 -TaskCount 200 -ContentCount 20 -Seed 3 | Out-Null
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$env:CLUSTERSTATE_MODULE'; Save-ClusterStateCheckpoint -StatePath '$state'").Invoke()
            $ps.HadErrors | Should -BeFalse
            $records = @($ps.Streams.Progress | Where-Object Activity -eq 'Save-ClusterStateCheckpoint')
            $records.Count | Should -BeGreaterThan 30
            $records[-2].StatusDescription | Should -Match '^37 of 37 columns$'
            $records[-2].PercentComplete | Should -Be 100
            $records[-1].RecordType | Should -Be 'Completed'
        }
        finally { $ps.Dispose() }
    }
}

Describe 'Set-ClusterStateCheckpointPolicy' {
    BeforeEach {
        $script:StatePath = Join-Path $TestDrive ('policy-' + [guid]::NewGuid().ToString('N'))
        New-TestState -Path $StatePath -NodeCount 5 -TaskCount 50 -ContentCount 10 -Seed 5 | Out-Null
    }

    It 'checkpoints after the number of commits the policy names, from any committing cmdlet' {
        $p = Set-ClusterStateCheckpointPolicy -StatePath $StatePath -EveryCommits 3 -Keep 2 -PassThru
        $p.EveryCommits | Should -Be 3
        $p.EverySeconds | Should -BeNullOrEmpty
        # No checkpoint yet: the first commit writes one.
        Set-ClusterNode -StatePath $StatePath -Id (Get-ClusterNode -StatePath $StatePath)[0].Id -Status draining
        $m = Get-ClusterMetadata -StatePath $StatePath
        $m.CheckpointGeneration | Should -Be $m.Generation
        $m.CheckpointPolicy.EveryCommits | Should -Be 3
        $first = $m.Generation
        # Two more commits are not enough; the third is.
        Set-ClusterNode -StatePath $StatePath -Id (Get-ClusterNode -StatePath $StatePath)[0].Id -Status online
        Invoke-ClusterTaskPlacement -StatePath $StatePath | Out-Null
        (Get-ClusterMetadata -StatePath $StatePath).CheckpointGeneration | Should -Be $first
        Add-ClusterContent -StatePath $StatePath -Cid 'bafy-policy' -Size 1
        $m = Get-ClusterMetadata -StatePath $StatePath
        $m.CheckpointGeneration | Should -Be ($first + 3)
        @(Get-ClusterStateCheckpoint -StatePath $StatePath).Count | Should -Be 2
        # The checkpoint holds the committed change.
        $restored = Join-Path $TestDrive ('restored-' + [guid]::NewGuid().ToString('N'))
        Import-ClusterState -Path $m.ParquetPath -StatePath $restored | Out-Null
        (Get-ClusterContent -StatePath $restored -Cid 'bafy-policy').Size | Should -Be 1
    }

    It 'checkpoints by age at the next commit, and -Disable stops it' {
        Set-ClusterStateCheckpointPolicy -StatePath $StatePath -EverySeconds 1
        Add-ClusterContent -StatePath $StatePath -Cid 'bafy-a' -Size 1
        $g = (Get-ClusterMetadata -StatePath $StatePath).CheckpointGeneration
        Add-ClusterContent -StatePath $StatePath -Cid 'bafy-b' -Size 1
        (Get-ClusterMetadata -StatePath $StatePath).CheckpointGeneration | Should -Be $g
        Start-Sleep -Milliseconds 2100
        Add-ClusterContent -StatePath $StatePath -Cid 'bafy-c' -Size 1
        (Get-ClusterMetadata -StatePath $StatePath).CheckpointGeneration | Should -Be ($g + 2)
        Set-ClusterStateCheckpointPolicy -StatePath $StatePath -Disable
        (Get-ClusterMetadata -StatePath $StatePath).CheckpointPolicy | Should -BeNullOrEmpty
        Start-Sleep -Milliseconds 1100
        Add-ClusterContent -StatePath $StatePath -Cid 'bafy-d' -Size 1
        (Get-ClusterMetadata -StatePath $StatePath).CheckpointGeneration | Should -Be ($g + 2)
    }

    It 'changes no generation, honours -WhatIf and refuses an empty policy' {
        $g = (Get-ClusterMetadata -StatePath $StatePath).Generation
        Set-ClusterStateCheckpointPolicy -StatePath $StatePath -EveryCommits 5 -WhatIf
        (Get-ClusterMetadata -StatePath $StatePath).CheckpointPolicy | Should -BeNullOrEmpty
        Set-ClusterStateCheckpointPolicy -StatePath $StatePath -EveryCommits 5
        (Get-ClusterMetadata -StatePath $StatePath).Generation | Should -Be $g
        { Set-ClusterStateCheckpointPolicy -StatePath $StatePath -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidArgument*'
        { Set-ClusterStateCheckpointPolicy -StatePath $StatePath -EveryCommits 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }

    It 'is followed by a commit in another process' {
        Set-ClusterStateCheckpointPolicy -StatePath $StatePath -EveryCommits 1
        $r = Invoke-ChildPwsh -Script "Import-Module '$env:CLUSTERSTATE_MODULE'; Add-ClusterContent -StatePath '$StatePath' -Cid 'bafy-child' -Size 2"
        $r.ExitCode | Should -Be 0
        $m = Get-ClusterMetadata -StatePath $StatePath
        $m.CheckpointGeneration | Should -Be $m.Generation
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
