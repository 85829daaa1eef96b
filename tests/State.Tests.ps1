# Creating, connecting to, exporting and sharing a state; bad input.
BeforeAll {
    . $PSScriptRoot/Common.ps1
}

Describe 'New-ClusterState' {
    It 'creates a sample state with the generator''s data and returns its metadata' {
        $path = Join-Path $TestDrive 'new-sample'
        $m = New-ClusterState -Path $path -NodeCount 20 -TaskCount 500 -ContentCount 100 -Seed 3
        $sample = New-TestSample -NodeCount 20 -TaskCount 500 -ContentCount 100 -Seed 3
        $m | Should -BeOfType ([ClusterState.ClusterMetadata])
        $m.ClusterId | Should -Be $sample.ClusterId
        $m.TaskCount | Should -Be 500
        Test-Path (Join-Path $path 'state_metadata.json') | Should -BeTrue
        (Get-ClusterTask -StatePath $path).Id | Should -Be @($sample.Tasks).Id
    }

    It 'creates an empty state with a chosen id' {
        $path = Join-Path $TestDrive 'empty'
        $m = New-ClusterState -Path $path -ClusterId prod-1 -MasterId m1
        $m.ClusterId | Should -Be 'prod-1'
        $m.NodeCount + $m.TaskCount + $m.ContentCount | Should -Be 0
        Get-ClusterNode -StatePath $path | Should -BeNullOrEmpty
    }

    It 'resolves a relative -Path against the PowerShell location, not the process directory' {
        Push-Location $TestDrive
        try {
            New-ClusterState -Path ./relative -NodeCount 2 -TaskCount 3 -ContentCount 1 | Out-Null
            Test-Path (Join-Path $TestDrive 'relative/state_metadata.json') | Should -BeTrue
        }
        finally { Pop-Location }
    }

    It 'refuses to overwrite a state without -Force and replaces it as the next generation with -Force' {
        $path = Join-Path $TestDrive 'twice'
        New-ClusterState -Path $path -NodeCount 3 -TaskCount 5 -ContentCount 5 | Out-Null
        { New-ClusterState -Path $path -NodeCount 3 -ErrorAction Stop } | Should -Throw -ErrorId 'StateAlreadyExists*'
        (New-ClusterState -Path $path -NodeCount 4 -TaskCount 5 -ContentCount 5 -Force).Generation | Should -Be 2
    }

    It 'writes nothing with -WhatIf' {
        $path = Join-Path $TestDrive 'whatif'
        New-ClusterState -Path $path -NodeCount 3 -WhatIf
        Test-Path $path | Should -BeFalse
    }

    It 'rejects impossible counts through parameter validation' {
        { New-ClusterState -Path (Join-Path $TestDrive 'bad') -NodeCount -1 } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        { New-ClusterState -Path (Join-Path $TestDrive 'bad') -NodeCount 3 -ClusterId '' } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }

    It 'names a sample: -ClusterId, and -MasterId as the master node''s id wherever the sample refers to it' {
        $path = Join-Path $TestDrive 'named-sample'
        $m = New-ClusterState -Path $path -ClusterId lab -MasterId lab-master -NodeCount 10 -TaskCount 50 -ContentCount 200 -Seed 3
        $m.ClusterId | Should -Be 'lab'
        (Get-ClusterMetadata -StatePath $path).MasterId | Should -Be 'lab-master'
        $master = Get-ClusterNode -StatePath $path -Role master
        $master.Id | Should -Be 'lab-master'
        # The rest is the seed's sample: the same tasks, and the other nodes list the renamed master as a peer.
        $sample = New-TestSample -NodeCount 10 -TaskCount 50 -ContentCount 200 -Seed 3
        (Get-ClusterTask -StatePath $path).Id | Should -Be @($sample.Tasks).Id
        (Get-ClusterNode -StatePath $path | Where-Object Id -ne 'lab-master' | Where-Object { $_.Peers -contains 'lab-master' }).Count | Should -Be 9
        @(Get-ClusterNode -StatePath $path | Where-Object { $_.Peers -contains $sample.MasterId }).Count | Should -Be 0
        # -ClusterId alone keeps the empty set, as before.
        (New-ClusterState -Path (Join-Path $TestDrive 'named-empty') -ClusterId lab2).NodeCount | Should -Be 0
    }
}

Describe 'Connect-ClusterState and path resolution' {
    BeforeAll {
        $script:StateA = Join-Path $TestDrive 'a'
        $script:StateB = Join-Path $TestDrive 'b'
        New-TestState -Path $StateA -NodeCount 5 -TaskCount 10 -ContentCount 5 -Seed 1 | Out-Null
        New-TestState -Path $StateB -NodeCount 7 -TaskCount 10 -ContentCount 5 -Seed 2 | Out-Null
        $script:SavedEnv = $env:CLUSTERSTATE_PATH
        $script:SavedHome = $env:HOME
    }
    AfterEach {
        Disconnect-ClusterState
        $env:CLUSTERSTATE_PATH = $SavedEnv
    }

    It 'uses the session default after Connect-ClusterState' {
        Connect-ClusterState -Path $StateA
        (Get-ClusterNode).Count | Should -Be 5
        (Get-ClusterNode -StatePath $StateB).Count | Should -Be 7
    }

    It 'returns the metadata with -PassThru and accepts the path of state_metadata.json' {
        (Connect-ClusterState -Path (Join-Path $StateB 'state_metadata.json') -PassThru).NodeCount | Should -Be 7
        (Get-ClusterMetadata).StatePath | Should -Be $StateB
    }

    It 'prefers the session default over CLUSTERSTATE_PATH and falls back to it after Disconnect-ClusterState' {
        $env:CLUSTERSTATE_PATH = $StateB
        Connect-ClusterState -Path $StateA
        (Get-ClusterMetadata).StatePath | Should -Be $StateA
        Disconnect-ClusterState
        (Get-ClusterMetadata).StatePath | Should -Be $StateB
    }

    It 'fails with StateNotFound naming every path tried when nothing resolves' {
        $env:CLUSTERSTATE_PATH = Join-Path $TestDrive 'nowhere'
        $result = Invoke-ChildPwsh -Script @"
`$env:HOME = '$(Join-Path $TestDrive 'empty-home')'
`$env:CLUSTERSTATE_PATH = '$(Join-Path $TestDrive 'nowhere')'
Import-Module '$env:CLUSTERSTATE_MODULE'
try { Get-ClusterNode -ErrorAction Stop } catch { `$_.FullyQualifiedErrorId; `$_.CategoryInfo.Category; `$_.Exception.Message }
"@
        $result.Output[0] | Should -BeLike 'StateNotFound,*'
        $result.Output[1] | Should -Be 'ObjectNotFound'
        $result.Output[2] | Should -BeLike "*nowhere*cluster_state*ipfs_cluster_state*/var/lib/ipfs/cluster_state*"
    }

    It 'fails Connect-ClusterState on a directory that is not a state' {
        { Connect-ClusterState -Path $TestDrive -ErrorAction Stop } | Should -Throw -ErrorId 'StateNotFound*'
    }
}

Describe 'Export-ClusterState' {
    BeforeAll {
        $script:StatePath = Join-Path $TestDrive 'export-state'
        $script:Sample = New-TestState -Path $StatePath -NodeCount 15 -TaskCount 400 -ContentCount 120 -Seed 5
    }

    It 'exports JSON with the schema''s field names that matches the generator' {
        $file = Join-Path $TestDrive 'state.json'
        Export-ClusterState -StatePath $StatePath -Path $file -Format Json
        $json = Get-Content -Raw $file | ConvertFrom-Json -DateKind String
        $tasks = @($Sample.Tasks)
        $json.cluster_id | Should -Be $Sample.ClusterId
        $json.tasks.Count | Should -Be 400
        $json.nodes.Count | Should -Be 15
        $json.content.Count | Should -Be 120
        $json.tasks[42].id | Should -Be $tasks[42].Id
        $json.tasks[42].status | Should -Be $tasks[42].Status
        $json.tasks[42].input_cids | Should -Be $tasks[42].InputCids
        $json.nodes[2].resources.cpu_count | Should -Be $Sample.Nodes[2].CpuCount
        $json.tasks[42].created_at | Should -Be ([ClusterState.StateExport]::FormatTime($tasks[42].CreatedAt))
    }

    It 'exports the Arrow snapshot byte for byte and emits the file with -PassThru' {
        $file = Join-Path $TestDrive 'state.arrow'
        $item = Export-ClusterState -StatePath $StatePath -Path $file -Format Arrow -PassThru
        $item.FullName | Should -Be $file
        $snapshot = Join-Path $StatePath (Get-Content -Raw (Join-Path $StatePath 'state_metadata.json') | ConvertFrom-Json).snapshot
        (Get-FileHash $file).Hash | Should -Be (Get-FileHash $snapshot).Hash
    }

    It 'refuses to overwrite without -Force, and -WhatIf writes nothing' {
        $file = Join-Path $TestDrive 'once.json'
        Export-ClusterState -StatePath $StatePath -Path $file
        { Export-ClusterState -StatePath $StatePath -Path $file -ErrorAction Stop } | Should -Throw -ErrorId 'ExportTargetExists*'
        Export-ClusterState -StatePath $StatePath -Path $file -Force
        Export-ClusterState -StatePath $StatePath -Path (Join-Path $TestDrive 'never.json') -WhatIf
        Test-Path (Join-Path $TestDrive 'never.json') | Should -BeFalse
    }

    It 'takes the state path from Get-ClusterMetadata through the pipeline' {
        $file = Join-Path $TestDrive 'piped.json'
        Get-ClusterMetadata -StatePath $StatePath | Export-ClusterState -Path $file
        (Get-Content -Raw $file | ConvertFrom-Json).cluster_id | Should -Be $Sample.ClusterId
    }
}

Describe 'Sharing a state between processes' {
    It 'lets a second pwsh read the state while this one holds it open' {
        $path = Join-Path $TestDrive 'shared'
        $sample = New-TestState -Path $path -NodeCount 30 -TaskCount 2000 -ContentCount 300 -Seed 9
        $held = Get-ClusterState -StatePath $path
        try {
            $pending = @($sample.Tasks | Where-Object Status -eq pending).Count
            $result = Invoke-ChildPwsh -Script @"
Import-Module '$env:CLUSTERSTATE_MODULE'
`$m = Get-ClusterMetadata -StatePath '$path'
'{0}|{1}|{2}' -f `$m.ClusterId, `$m.TaskCount, @(Find-ClusterTask -StatePath '$path' -Status pending).Count
"@
            $result.ExitCode | Should -Be 0
            $result.Output[-1] | Should -Be ('{0}|2000|{1}' -f $sample.ClusterId, $pending)
            # This process's snapshot is still intact after the other process read it.
            $held.TaskCount | Should -Be 2000
            $held.IsZeroCopy() | Should -BeTrue
        }
        finally { $held.Dispose() }
    }

    It 'keeps a reader''s snapshot consistent while another process replaces the state' {
        $path = Join-Path $TestDrive 'replaced'
        New-TestState -Path $path -NodeCount 5 -TaskCount 100 -ContentCount 10 -Seed 1 | Out-Null
        $held = Get-ClusterState -StatePath $path
        try {
            $result = Invoke-ChildPwsh -Script @"
Import-Module '$env:CLUSTERSTATE_MODULE'
(New-ClusterState -Path '$path' -NodeCount 5 -TaskCount 7 -ContentCount 1 -Force).Generation
"@
            $result.Output[-1] | Should -Be '2'
            $held.Generation | Should -Be 1
            $held.TaskCount | Should -Be 100
            (Get-ClusterMetadata -StatePath $path).TaskCount | Should -Be 7
        }
        finally { $held.Dispose() }
    }
}

Describe 'Bad input' {
    BeforeAll {
        function New-BrokenState([string] $Name) {
            $path = Join-Path $TestDrive $Name
            New-ClusterState -Path $path -NodeCount 4 -TaskCount 20 -ContentCount 5 | Out-Null
            $path
        }
        function Get-SnapshotFile([string] $Path) {
            Join-Path $Path (Get-Content -Raw (Join-Path $Path 'state_metadata.json') | ConvertFrom-Json).snapshot
        }
    }

    It 'a missing directory is a terminating StateNotFound error' {
        $err = { Get-ClusterNode -StatePath (Join-Path $TestDrive 'missing') } | Should -Throw -ErrorId 'StateNotFound*' -PassThru
        $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }

    It 'metadata pointing to a missing snapshot is SnapshotMissing' {
        $path = New-BrokenState 'nosnap'
        Remove-Item (Get-SnapshotFile $path)
        { Find-ClusterTask -StatePath $path } | Should -Throw -ErrorId 'SnapshotMissing*'
    }

    It 'a truncated snapshot is SnapshotCorrupt (InvalidData)' {
        $path = New-BrokenState 'truncated'
        $file = Get-SnapshotFile $path
        $bytes = [IO.File]::ReadAllBytes($file)
        [IO.File]::WriteAllBytes($file, $bytes[0..($bytes.Length / 2)])
        $err = { Get-ClusterContentMap -StatePath $path } | Should -Throw -ErrorId 'SnapshotCorrupt*' -PassThru
        $err.CategoryInfo.Category | Should -Be 'InvalidData'
        $err.TargetObject | Should -Be $file
    }

    It 'a file that is not Arrow is SnapshotCorrupt' {
        $path = New-BrokenState 'notarrow'
        Set-Content -Path (Get-SnapshotFile $path) -Value 'name,role\nn1,worker'
        { Get-ClusterMetadata -StatePath $path } | Should -Throw -ErrorId 'SnapshotCorrupt*'
    }

    It 'metadata that escapes its directory is refused as MetadataInvalid' {
        $path = New-BrokenState 'escape'
        $meta = Get-Content -Raw (Join-Path $path 'state_metadata.json') | ConvertFrom-Json
        $meta.snapshot = '../../etc/passwd'
        $meta | ConvertTo-Json | Set-Content (Join-Path $path 'state_metadata.json')
        { Get-ClusterNode -StatePath $path } | Should -Throw -ErrorId 'MetadataInvalid*'
    }

    It 'none of them crashes pwsh: a child process reports every error and exits normally' {
        $missing = Join-Path $TestDrive 'missing'
        $truncated = Join-Path $TestDrive 'truncated'
        $notArrow = Join-Path $TestDrive 'notarrow'
        $result = Invoke-ChildPwsh -Script @"
Import-Module '$env:CLUSTERSTATE_MODULE'
foreach (`$p in '$missing', '$truncated', '$notArrow') {
    try { Get-ClusterNode -StatePath `$p -ErrorAction Stop | Out-Null; 'no error' } catch { `$_.FullyQualifiedErrorId.Split(',')[0] }
}
'still alive'
"@
        $result.ExitCode | Should -Be 0
        $result.Output | Should -Be @('StateNotFound', 'SnapshotCorrupt', 'SnapshotCorrupt', 'still alive')
    }
}

Describe 'Import-ClusterState' {
    BeforeAll {
        $script:Source = Join-Path $TestDrive 'import-source'
        $script:Sample = New-TestState -Path $Source -NodeCount 12 -TaskCount 300 -ContentCount 80 -Seed 13
        function AllRows([string] $Path) {
            # Without StatePath: where each row was read from differs, its data must not.
        (@(Get-ClusterNode -StatePath $Path) + @(Get-ClusterTask -StatePath $Path) + @(Get-ClusterContent -StatePath $Path)) | Select-Object -Property * -ExcludeProperty StatePath | ConvertTo-Json -Depth 4 -Compress
        }
    }

    It 'round-trips a JSON export: every field, nulls and empty lists included' {
        $json = Join-Path $TestDrive 'export.json'
        Export-ClusterState -StatePath $Source -Path $json
        $m = Import-ClusterState -Path $json -StatePath (Join-Path $TestDrive 'from-json')
        $m.ClusterId | Should -Be $Sample.ClusterId
        $m.SchemaVersion | Should -Be 2
        AllRows (Join-Path $TestDrive 'from-json') | Should -Be (AllRows $Source)
    }

    It 'adopts an Arrow file byte for byte' {
        $arrow = Join-Path $TestDrive 'export.arrow'
        Export-ClusterState -StatePath $Source -Path $arrow -Format Arrow
        $m = Get-Item $arrow | Import-ClusterState -StatePath (Join-Path $TestDrive 'from-arrow')
        $m.TaskCount | Should -Be 300
        (Get-FileHash (Join-Path $m.StatePath $m.Snapshot)).Hash | Should -Be (Get-FileHash $arrow).Hash
        AllRows $m.StatePath | Should -Be (AllRows $Source)
    }

    It 'imports a Parquet checkpoint of another state' {
        $checkpoint = Save-ClusterStateCheckpoint -StatePath $Source
        $m = Import-ClusterState -Path $checkpoint.Path -StatePath (Join-Path $TestDrive 'from-parquet')
        $m.ClusterId | Should -Be $Sample.ClusterId
        AllRows $m.StatePath | Should -Be (AllRows $Source)
    }

    It 'refuses files it cannot import, with clear error ids, and writes nothing' {
        $target = Join-Path $TestDrive 'never'
        { Import-ClusterState -Path (Join-Path $TestDrive 'missing.json') -StatePath $target -ErrorAction Stop } | Should -Throw -ErrorId 'ImportFileNotFound*'
        Set-Content (Join-Path $TestDrive 'bad.json') '{ "cluster_id": "x", "nodes": [ { "role": "worker" } ] }'
        { Import-ClusterState -Path (Join-Path $TestDrive 'bad.json') -StatePath $target -ErrorAction Stop } | Should -Throw -ErrorId 'ImportInvalid*'
        Set-Content (Join-Path $TestDrive 'text.txt') 'hello'
        { Import-ClusterState -Path (Join-Path $TestDrive 'text.txt') -StatePath $target -ErrorAction Stop } | Should -Throw -ErrorId 'ImportFormatUnsupported*'
        [IO.File]::WriteAllBytes((Join-Path $TestDrive 'fake.parquet'), [byte[]](0x50, 0x41, 0x52, 0x31, 0, 0, 0, 0))
        { Import-ClusterState -Path (Join-Path $TestDrive 'fake.parquet') -StatePath $target -ErrorAction Stop } | Should -Throw -ErrorId 'CheckpointCorrupt*'
        Test-Path (Join-Path $target 'state_metadata.json') | Should -BeFalse
        { Import-ClusterState -Path (Join-Path $TestDrive 'export.json') -StatePath $Source -ErrorAction Stop } | Should -Throw -ErrorId 'StateAlreadyExists*'
    }
}
