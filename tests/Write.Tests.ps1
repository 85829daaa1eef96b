# The write cmdlets: one commit per pipeline, all or nothing; -WhatIf, -Confirm, -PassThru;
# every validation error's ErrorId. Run locally and through a ClusterState server (-Mode Remote:
# the server commits, errors keep their ErrorIds through gRPC).
param([ValidateSet('Local', 'Remote')][string] $Mode = 'Local')

BeforeAll {
    . $PSScriptRoot/Common.ps1
    function New-WriteState([string] $Name) {
        $path = Join-Path $TestDrive $Name
        $sample = New-TestState -Path $path -NodeCount 20 -TaskCount 400 -ContentCount 100 -Seed 31
        $location = Connect-TestState $path
        [pscustomobject]@{ Path = $path; Location = $location; Sample = $sample; Tasks = @($sample.Tasks); Content = @($sample.Content) }
    }
    function Generation { (Get-ClusterMetadata).Generation }
}

AfterAll { Disconnect-ClusterState; Stop-TestServers }

Describe 'Add/Set/Remove-ClusterNode' {
    BeforeAll { $script:S = New-WriteState 'nodes' }

    It 'adds a node with resources and emits it with -PassThru' {
        $n = Add-ClusterNode -Id n-new -Role worker -Capabilities compute, gpu -CpuCount 16 -CpuLoad 5 -GpuCount 2 -GpuAvailable $true -MemoryTotal 64GB -MemoryAvailable 60GB -PassThru
        $n | Should -BeOfType ([ClusterState.ClusterNode])
        $n.Id | Should -Be 'n-new'
        $n.MemoryTotal | Should -Be 64GB
        (Get-ClusterNode -Id n-new).GpuAvailable | Should -BeTrue
        Generation | Should -Be 2
    }

    It 'adds nodes piped by property name in one commit' {
        $before = Generation
        @([pscustomobject]@{ Id = 'csv-1'; Role = 'leecher' }, [pscustomobject]@{ Id = 'csv-2'; Status = 'offline' }) | Add-ClusterNode
        Generation | Should -Be ($before + 1)
        (Get-ClusterNode -Id csv-1, csv-2).Role | Should -Be @('leecher', 'worker')
    }

    It 'changes piped nodes in one commit and leaves other fields alone' {
        $before = Generation
        $workers = Get-ClusterNode -Role worker -Status online
        $changed = $workers | Set-ClusterNode -Status draining -AddCapability maintenance -PassThru
        Generation | Should -Be ($before + 1)
        $changed.Count | Should -Be $workers.Count
        $changed | ForEach-Object { $_.Status | Should -Be 'draining'; $_.Capabilities | Should -Contain 'maintenance' }
        (Get-ClusterNode -Id $workers[0].Id).CpuLoad | Should -Be $workers[0].CpuLoad
    }

    It 'removes nodes and emits them as they were with -PassThru' {
        $gone = Remove-ClusterNode -Id csv-1, csv-2 -Confirm:$false -PassThru
        $gone.Id | Should -Be @('csv-1', 'csv-2')
        Get-ClusterNode -Id csv-1 -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'rejects a duplicate id, a bad role and negative resources, writing nothing' {
        $before = Generation
        { Add-ClusterNode -Id n-new -ErrorAction Stop } | Should -Throw -ErrorId 'DuplicateId*'
        { Add-ClusterNode -Id n-role -Role boss -ErrorAction Stop } | Should -Throw -ErrorId 'UnknownRole*'
        { Set-ClusterNode -Id n-new -MemoryAvailable -5 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidResourceValue*'
        { Set-ClusterNode -Id n-new -CpuLoad 150 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidResourceValue*'
        { Set-ClusterNode -Id nope -Status offline -ErrorAction Stop } | Should -Throw -ErrorId 'NodeNotFound*'
        { Remove-ClusterNode -Id nope -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'NodeNotFound*'
        Generation | Should -Be $before
    }

    It 'accepts a status outside the vocabulary with -Force' {
        Set-ClusterNode -Id n-new -Status maintenance -Force
        (Get-ClusterNode -Id n-new).Status | Should -Be 'maintenance'
    }

    It 'changes nothing with -WhatIf' {
        $before = Generation
        Set-ClusterNode -Id n-new -Status offline -WhatIf
        Remove-ClusterNode -Id n-new -WhatIf
        Add-ClusterNode -Id n-whatif -WhatIf
        Generation | Should -Be $before
        (Get-ClusterNode -Id n-new).Status | Should -Be 'maintenance'
    }
}

Describe 'Add/Set/Remove-ClusterTask' {
    BeforeAll { $script:S = New-WriteState 'tasks' }

    It 'requeues every failed task in one commit: Find-ClusterTask -Status failed | Set-ClusterTask -Status pending' {
        $failed = @($S.Tasks | Where-Object Status -eq failed)
        $failed.Count | Should -BeGreaterThan 0
        $before = Generation
        $after = Find-ClusterTask -Status failed | Set-ClusterTask -Status pending -PassThru
        Generation | Should -Be ($before + 1)
        $after.Id | Should -Be $failed.Id
        $after | ForEach-Object { $_.Status | Should -Be 'pending'; $_.AssignedTo | Should -BeNullOrEmpty; $_.StartedAt | Should -BeNullOrEmpty; $_.CompletedAt | Should -BeNullOrEmpty }
        Find-ClusterTask -Status failed | Should -BeNullOrEmpty
    }

    It 'is all or nothing: one unknown id in the pipeline fails the whole commit' {
        $before = Generation
        $ids = @((Find-ClusterTask -Status running | Select-Object -First 3).Id) + 'task-missing'
        { $ids | Set-ClusterTask -Status completed -ErrorAction Stop } | Should -Throw -ErrorId 'TaskNotFound*'
        Generation | Should -Be $before
        (Get-ClusterTask -Id $ids[0]).Status | Should -Be 'running'
    }

    It 'sets started_at when running and completed_at when completed' {
        $t = Find-ClusterTask -Status assigned | Select-Object -First 1
        $running = Set-ClusterTask -Id $t.Id -Status running -PassThru
        $running.StartedAt | Should -Not -BeNullOrEmpty
        $done = Set-ClusterTask -Id $t.Id -Status completed -OutputCid bafy-out -AddOutputCid bafy-out -PassThru
        $done.CompletedAt | Should -BeGreaterOrEqual $running.StartedAt
        $done.StartedAt | Should -Be $running.StartedAt
        $done.OutputCids | Should -Contain 'bafy-out'
    }

    It 'adds tasks with generated ids and the commit time' {
        $t = Add-ClusterTask -Type inference -CpuCores 2 -MemoryMB 512 -PassThru
        $t.Id | Should -Match '^task-[0-9a-f-]{36}$'
        $t.Status | Should -Be 'pending'
        $t.CreatedAt | Should -Be $t.UpdatedAt
        $node = $S.Sample.Nodes[1].Id
        (Add-ClusterTask -Id t-assigned -Type embedding -Status assigned -AssignedTo $node -PassThru).AssignedTo | Should -Be $node
    }

    It 'rejects unknown nodes, negative requirements, unknown statuses and duplicates, writing nothing' {
        $before = Generation
        { Add-ClusterTask -Id t-x -Type inference -AssignedTo nowhere -Status assigned -ErrorAction Stop } | Should -Throw -ErrorId 'AssignedNodeNotFound*'
        { Set-ClusterTask -Id t-assigned -AssignedTo nowhere -ErrorAction Stop } | Should -Throw -ErrorId 'AssignedNodeNotFound*'
        { Add-ClusterTask -Id t-x -Type inference -CpuCores -1 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidResourceValue*'
        { Set-ClusterTask -Id t-assigned -Status exploded -ErrorAction Stop } | Should -Throw -ErrorId 'UnknownStatus*'
        { Add-ClusterTask -Id t-assigned -Type inference -ErrorAction Stop } | Should -Throw -ErrorId 'DuplicateId*'
        { Set-ClusterTask -Id t-assigned -Unassign -AssignedTo x -ErrorAction Stop } | Should -Throw -ErrorId 'ConflictingParameters*'
        Generation | Should -Be $before
    }

    It 'honours -ExpectedGeneration' {
        $g = Generation
        { Set-ClusterTask -Id t-assigned -Status running -ExpectedGeneration ($g - 1) -ErrorAction Stop } | Should -Throw -ErrorId 'GenerationConflict*'
        Set-ClusterTask -Id t-assigned -Status running -ExpectedGeneration $g
        Generation | Should -Be ($g + 1)
    }

    It 'removes tasks, and -WhatIf removes nothing' {
        $before = Generation
        Remove-ClusterTask -Id t-assigned -WhatIf
        Generation | Should -Be $before
        (Remove-ClusterTask -Id t-assigned -Confirm:$false -PassThru).Id | Should -Be 't-assigned'
        Get-ClusterTask -Id t-assigned -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }
}

Describe 'Add/Set/Remove-ClusterContent' {
    BeforeAll { $script:S = New-WriteState 'content' }

    It 'adds, edits providers, pins and raises replication' {
        $c = Add-ClusterContent -Cid bafy-new -Size 10 -Providers a, b -PassThru
        $c.Pinned | Should -BeTrue
        $c.Replication | Should -Be 1
        $c = Set-ClusterContent -Cid bafy-new -AddProvider c, a -RemoveProvider b -Pinned:$false -ReplicationDelta 2 -PassThru
        $c.Providers | Should -Be @('a', 'c')
        $c.Pinned | Should -BeFalse
        $c.Replication | Should -Be 3
        (Set-ClusterContent -Cid bafy-new -Replication 5 -PassThru).Replication | Should -Be 5
    }

    It 'changes piped items in one commit' {
        $before = Generation
        $items = Get-ClusterContent | Select-Object -First 10
        $items | Set-ClusterContent -ReplicationDelta 1
        Generation | Should -Be ($before + 1)
        (Get-ClusterContent -Cid $items[0].Cid).Replication | Should -Be ($items[0].Replication + 1)
    }

    It 'rejects unknown CIDs, duplicates and negative targets' {
        $before = Generation
        { Set-ClusterContent -Cid nope -Pinned -ErrorAction Stop } | Should -Throw -ErrorId 'ContentNotFound*'
        { Add-ClusterContent -Cid bafy-new -ErrorAction Stop } | Should -Throw -ErrorId 'DuplicateId*'
        { Set-ClusterContent -Cid bafy-new -ReplicationDelta -100 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidResourceValue*'
        { Set-ClusterContent -Cid bafy-new -Replication 1 -ReplicationDelta 1 -ErrorAction Stop } | Should -Throw -ErrorId 'ConflictingParameters*'
        { Remove-ClusterContent -Cid nope -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'ContentNotFound*'
        Generation | Should -Be $before
    }

    It 'removes orphans in one commit' {
        $orphans = Get-ClusterContent -Orphaned
        $orphans.Count | Should -BeGreaterThan 1
        $before = Generation
        $orphans | Remove-ClusterContent -Confirm:$false
        Generation | Should -Be ($before + 1)
        Get-ClusterContent -Orphaned | Should -BeNullOrEmpty
    }
}

Describe 'Confirmation' {
    It 'asks before changing with -Confirm, and changes nothing when answered No' {
        $path = Join-Path $TestDrive 'confirm'
        $sample = New-TestState -Path $path -NodeCount 5 -TaskCount 20 -ContentCount 5 -Seed 2
        $id = $sample.Nodes[1].Id
        $path = Get-TestLocation $path
        $script = @"
Import-Module '$env:CLUSTERSTATE_MODULE'
Set-ClusterNode -StatePath '$path' -Id '$id' -Status offline -Confirm
(Get-ClusterNode -StatePath '$path' -Id '$id').Status
"@
        $no = Invoke-ChildPwsh -Script $script -StandardInput "N`n"
        $no.Output[-1] | Should -Be $sample.Nodes[1].Status
        ($no.Output -join ' ') | Should -Match 'Confirm'
        $yes = Invoke-ChildPwsh -Script $script -StandardInput "Y`n"
        $yes.Output[-1] | Should -Be 'offline'
    }

    It 'Remove-* asks by default (ConfirmImpact High)' {
        $path = Join-Path $TestDrive 'confirm-remove'
        $sample = New-TestState -Path $path -NodeCount 5 -TaskCount 20 -ContentCount 5 -Seed 3
        $task = @($sample.Tasks)[0].Id
        $path = Get-TestLocation $path
        $r = Invoke-ChildPwsh -StandardInput "N`n" -Script @"
Import-Module '$env:CLUSTERSTATE_MODULE'
Remove-ClusterTask -StatePath '$path' -Id '$task'
(Get-ClusterMetadata -StatePath '$path').TaskCount
"@
        $r.Output[-1] | Should -Be '20'
    }
}

Describe 'Invoke-ClusterTaskPlacement' {
    BeforeAll {
        $GiB = [long]1GB
        $nodes = [ClusterState.ClusterNode[]]@(
            [ClusterState.ClusterNode]@{ Id = 'm'; Role = 'master'; Status = 'online' }
            [ClusterState.ClusterNode]@{ Id = 'a'; Role = 'worker'; Status = 'online'; Resources = [ClusterState.NodeResources]@{ CpuCount = 8; CpuLoad = 0; GpuCount = 1; GpuAvailable = $true; MemoryTotal = 8 * $GiB; MemoryAvailable = 4 * $GiB } }
            [ClusterState.ClusterNode]@{ Id = 'b'; Role = 'worker'; Status = 'online'; Resources = [ClusterState.NodeResources]@{ CpuCount = 8; CpuLoad = 50; GpuCount = 1; GpuAvailable = $true; MemoryTotal = 8 * $GiB; MemoryAvailable = 4 * $GiB } }
        )
        function T($id, $mem, $gpu, $status = 'pending') { [ClusterState.ClusterTask]@{ Id = $id; Type = 'x'; Status = $status; Resources = [ClusterState.TaskResources]@{ CpuCores = 1; GpuCores = $gpu; MemoryMB = $mem } } }
        $tasks = [ClusterState.ClusterTask[]]@((T p1 3072 1), (T p2 3072 0), (T p3 3072 1), (T done 1 0 'completed'), (T p4 8192 0))
        $script:PlacePath = Join-Path $TestDrive 'placement'
        $null = [ClusterState.StateStore]::Create($PlacePath, [ClusterState.StateContent]@{ ClusterId = 'p'; MasterId = 'm'; Nodes = $nodes; Tasks = $tasks }, $null)
        $script:PlacePath = Get-TestLocation $PlacePath
    }

    It 'shows the plan with -WhatIf and commits nothing' {
        $plan = Invoke-ClusterTaskPlacement -StatePath $PlacePath -WhatIf
        $plan.TaskId | Should -Be @('p1', 'p2')
        $plan.NodeId | Should -Be @('a', 'b')       # p1 takes a's memory and GPU; p2 no longer fits on a
        (Get-ClusterMetadata -StatePath $PlacePath).Generation | Should -Be 1
    }

    It 'assigns in one commit, consuming memory and GPUs, and warns about tasks that found no node' {
        $done = Invoke-ClusterTaskPlacement -StatePath $PlacePath -WarningVariable w -WarningAction SilentlyContinue
        $done.TaskId | Should -Be @('p1', 'p2')
        "$w" | Should -Match '2 pending task'
        (Get-ClusterMetadata -StatePath $PlacePath).Generation | Should -Be 2
        $t = Get-ClusterTask -StatePath $PlacePath -Id p1, p2, p3
        $t.Status | Should -Be @('assigned', 'assigned', 'pending')
        $t.AssignedTo[0..1] | Should -Be @('a', 'b')
    }
}

Describe 'Update-ClusterStateSchema' {
    BeforeAll {
        $script:V1 = Join-Path $TestDrive 'v1'
        $sample = New-TestSample -NodeCount 10 -TaskCount 100 -ContentCount 20 -Seed 4
        $null = [ClusterState.StateStore]::Create($V1, $sample.ToStateContent(), [ClusterState.CreateStateOptions]@{ SchemaVersion = 1 })
        $script:V1Tasks = @($sample.Tasks)
        $script:V1Dir = $V1
        $script:V1 = Get-TestLocation $V1
    }

    It 'changes nothing with -WhatIf' {
        Update-ClusterStateSchema -StatePath $V1 -WhatIf
        (Get-ClusterMetadata -StatePath $V1).SchemaVersion | Should -Be 1
    }

    It 'migrates a version-1 state in one commit, keeping every task' {
        $m = Update-ClusterStateSchema -StatePath $V1 -PassThru
        $m.SchemaVersion | Should -Be 2
        $m.Generation | Should -Be 2
        (Get-ClusterTask -StatePath $V1).Id | Should -Be $V1Tasks.Id
        (Get-Content -Raw (Join-Path $V1Dir 'state_metadata.json') | ConvertFrom-Json).schema_version | Should -Be 2
    }

    It 'leaves a current state alone' {
        (Update-ClusterStateSchema -StatePath $V1 -PassThru).Generation | Should -Be 2
    }

    It 'refuses a state that needs a newer reader, without touching it' {
        $future = Join-Path $TestDrive 'future'
        New-ClusterState -Path $future -NodeCount 2 -TaskCount 2 -ContentCount 1 | Out-Null
        # Remotely: the server was serving the state when it became unreadable for this version.
        $location = Get-TestLocation $future
        $metaPath = Join-Path $future 'state_metadata.json'
        $meta = Get-Content -Raw $metaPath | ConvertFrom-Json
        $meta | Add-Member min_reader_version 9
        $meta | ConvertTo-Json | Set-Content $metaPath
        $before = Get-FileHash (Join-Path $future $meta.snapshot)
        { Update-ClusterStateSchema -StatePath $location -ErrorAction Stop } | Should -Throw -ErrorId 'SchemaVersionUnsupported*'
        { Get-ClusterNode -StatePath $location -ErrorAction Stop } | Should -Throw -ErrorId 'SchemaVersionUnsupported*'
        (Get-FileHash (Join-Path $future $meta.snapshot)).Hash | Should -Be $before.Hash
    }
}
