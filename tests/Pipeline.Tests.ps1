# Objects remember their state (issue 18): rows, content map entries and metadata carry the state
# they were read from (StatePath), and every cmdlet that takes them from the pipeline acts on that
# state when -StatePath is not given — here with the session connected to another state, so a
# command that fell back to the session default would fail or act on the wrong one. A pipeline
# mixing two states is refused with MixedStates before anything is written. Locally and through
# servers (-Mode Remote: the objects carry the server's URI).
param([ValidateSet('Local', 'Remote')][string] $Mode = 'Local')

BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:A = Join-Path $TestDrive 'a'
    $script:B = Join-Path $TestDrive 'b'
    New-TestState -Path $A -NodeCount 12 -TaskCount 300 -ContentCount 80 -Seed 31 | Out-Null
    New-TestState -Path $B -NodeCount 12 -TaskCount 300 -ContentCount 80 -Seed 32 | Out-Null
    $script:LocA = Get-TestLocation $A
    # The session's default is B: only the objects can lead a command to A.
    $script:LocB = Connect-TestState $B
    function GenerationOf([string] $Location) { (Get-ClusterMetadata -StatePath $Location).Generation }
}

AfterAll { Disconnect-ClusterState; Stop-TestServers }

Describe 'Objects carry their state' {
    It 'rows, content map entries and metadata name the state they were read from' {
        (Get-ClusterNode -StatePath $LocA | Select-Object -First 1).StatePath | Should -Be (Get-ClusterMetadata -StatePath $LocA).StatePath
        (Get-ClusterTask -StatePath $LocA | Select-Object -First 1).StatePath | Should -Be (Get-ClusterMetadata -StatePath $LocA).StatePath
        (Get-ClusterContent -StatePath $LocA | Select-Object -First 1).StatePath | Should -Be (Get-ClusterMetadata -StatePath $LocA).StatePath
        (Get-ClusterContentMap -StatePath $LocA | Select-Object -First 1).StatePath | Should -Be (Get-ClusterMetadata -StatePath $LocA).StatePath
        (Get-ClusterNode | Select-Object -First 1).StatePath | Should -Be (Get-ClusterMetadata).StatePath
        [ClusterState.ClusterTask]::new().StatePath | Should -BeNullOrEmpty
    }

    It 'so do the objects computed from it: status, metrics, utilization, estimates, topology, placement' {
        $where = (Get-ClusterMetadata -StatePath $LocA).StatePath
        (Get-ClusterStatus -StatePath $LocA).StatePath | Should -Be $where
        (Get-ClusterTaskMetric -StatePath $LocA).StatePath | Should -Be $where
        (Get-ClusterNodeUtilization -StatePath $LocA | Select-Object -First 1).StatePath | Should -Be $where
        (Get-ClusterTopology -StatePath $LocA).StatePath | Should -Be $where
        $task = Find-ClusterTask -StatePath $LocA -Status pending | Select-Object -First 1
        (Get-ClusterTaskEstimate -StatePath $LocA -TaskId $task.Id).StatePath | Should -Be $where
        (Invoke-ClusterTaskPlacement -StatePath $LocA -WhatIf | Select-Object -First 1).StatePath | Should -BeIn @($where, $null)
        # A utilization row leads Get-ClusterNode back to its state.
        $u = Get-ClusterNodeUtilization -StatePath $LocA | Select-Object -First 1
        ($u | Get-ClusterNode).Id | Should -Be $u.Id
    }
}

Describe 'Reading cmdlets follow the piped objects' {
    It 'Get-ClusterNode, Get-ClusterTask and Get-ClusterContent re-read piped rows from their state' {
        $nodes = Get-ClusterNode -StatePath $LocA -Role worker
        ($nodes | Get-ClusterNode).Id | Should -Be $nodes.Id
        $tasks = Find-ClusterTask -StatePath $LocA -Status failed
        ($tasks | Get-ClusterTask).Id | Should -Be $tasks.Id
        $content = Get-ClusterContent -StatePath $LocA | Select-Object -First 5
        ($content | Get-ClusterContent).Cid | Should -Be $content.Cid
    }

    It 'Find-ClusterTask takes nodes, Get-ClusterNodeUtilization nodes, Get-ClusterContentMap content' {
        $node = Get-ClusterTask -StatePath $LocA | Where-Object AssignedTo | Select-Object -First 1 -ExpandProperty AssignedTo
        $expected = @(Get-ClusterTask -StatePath $LocA | Where-Object AssignedTo -eq $node).Id
        (Get-ClusterNode -StatePath $LocA -Id $node | Find-ClusterTask).Id | Should -Be $expected
        (Get-ClusterNode -StatePath $LocA -Id $node | Get-ClusterNodeUtilization).Id | Should -Be $node
        $cid = (Get-ClusterContent -StatePath $LocA | Select-Object -First 1).Cid
        (Get-ClusterContent -StatePath $LocA -Cid $cid | Get-ClusterContentMap).Cid | Should -Be $cid
    }

    It 'Get-ClusterTaskEstimate and Find-ClusterNodeForTask take tasks of their state' {
        $task = Find-ClusterTask -StatePath $LocA -Status pending | Select-Object -First 1
        $task | Should -Not -BeNullOrEmpty
        ($task | Get-ClusterTaskEstimate).TaskId | Should -Be $task.Id
        { $task | Find-ClusterNodeForTask -ErrorAction Stop } | Should -Not -Throw
    }
}

Describe 'Writing cmdlets follow the piped objects' {
    It 'Set-ClusterTask changes the tasks of the state they came from, not the session''s' {
        $before = GenerationOf $LocA; $beforeB = GenerationOf $LocB
        $tasks = Find-ClusterTask -StatePath $LocA -Status failed
        $tasks | Set-ClusterTask -Status pending
        GenerationOf $LocA | Should -Be ($before + 1)
        GenerationOf $LocB | Should -Be $beforeB
        (Get-ClusterTask -StatePath $LocA -Id $tasks.Id).Status | Sort-Object -Unique | Should -Be 'pending'
    }

    It 'Set-ClusterNode, Set-ClusterContent and -PassThru objects keep their state' {
        $node = Get-ClusterNode -StatePath $LocA -Role worker | Select-Object -First 1
        $changed = $node | Set-ClusterNode -AddCapability piped -PassThru
        $changed.StatePath | Should -Be $node.StatePath
        (Get-ClusterNode -StatePath $LocA -Id $node.Id).Capabilities | Should -Contain 'piped'
        $item = Get-ClusterContent -StatePath $LocA | Select-Object -First 1
        $item | Set-ClusterContent -Replication 9
        (Get-ClusterContent -StatePath $LocA -Cid $item.Cid).Replication | Should -Be 9
    }

    It 'Remove-ClusterTask, Remove-ClusterContent and Remove-ClusterNode remove from the objects'' state' {
        $task = Get-ClusterTask -StatePath $LocA | Select-Object -Last 1
        $task | Remove-ClusterTask -Confirm:$false
        Get-ClusterTask -StatePath $LocA -Id $task.Id -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $item = Get-ClusterContent -StatePath $LocA | Select-Object -Last 1
        $item | Remove-ClusterContent -Confirm:$false
        Get-ClusterContent -StatePath $LocA -Cid $item.Cid -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $node = Add-ClusterNode -StatePath $LocA -Id piped-node -Role leecher -PassThru
        $node | Remove-ClusterNode -Confirm:$false
        Get-ClusterNode -StatePath $LocA -Id piped-node -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'Add-ClusterTask copies rows into the state given, and refuses to re-add them to their own' {
        # An unassigned task: B has none of A's nodes.
        $task = Get-ClusterTask -StatePath $LocA | Where-Object { -not $_.AssignedTo } | Select-Object -First 1
        $task | Add-ClusterTask -StatePath $LocB
        (Get-ClusterTask -StatePath $LocB -Id $task.Id).Id | Should -Be $task.Id
        { $task | Add-ClusterTask -ErrorAction Stop } | Should -Throw -ErrorId 'DuplicateId*'
    }

    It 'a value on the command line wins over the objects'' state' {
        # The task the test before copied to B.
        $task = Get-ClusterTask -StatePath $LocA | Where-Object { -not $_.AssignedTo } | Select-Object -First 1
        { $task | Set-ClusterTask -StatePath $LocB -MemoryMB 1234 -ErrorAction Stop } | Should -Not -Throw
        (Get-ClusterTask -StatePath $LocB -Id $task.Id).MemoryMB | Should -Be 1234
        (Get-ClusterTask -StatePath $LocA -Id $task.Id).MemoryMB | Should -Not -Be 1234
    }

    It 'hand-made objects in the pipeline join the state of the rows around them' {
        $task = Get-ClusterTask -StatePath $LocA | Select-Object -First 1
        $made = [ClusterState.ClusterTask]@{ Id = 'made-by-hand'; Type = 'compute'; Status = 'pending' }
        $before = GenerationOf $LocA
        @($made) | Add-ClusterTask -StatePath $LocA
        @($task, [pscustomobject]@{ Id = 'made-by-hand' }) | Set-ClusterTask -MemoryMB 333
        GenerationOf $LocA | Should -Be ($before + 2)
        (Get-ClusterTask -StatePath $LocA -Id made-by-hand).MemoryMB | Should -Be 333
    }
}

Describe 'A pipeline of two states' {
    It 'is refused with MixedStates before anything is written' {
        $beforeA = GenerationOf $LocA; $beforeB = GenerationOf $LocB
        $a = Get-ClusterTask -StatePath $LocA | Select-Object -First 2
        $b = Get-ClusterTask -StatePath $LocB | Select-Object -First 2
        { @($a) + @($b) | Set-ClusterTask -MemoryMB 4321 -ErrorAction Stop } | Should -Throw -ErrorId 'MixedStates*'
        { @($b) + @($a) | Remove-ClusterTask -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'MixedStates*'
        GenerationOf $LocA | Should -Be $beforeA
        GenerationOf $LocB | Should -Be $beforeB
        $err = $null
        try { @($a) + @($b) | Get-ClusterTask -ErrorAction Stop | Out-Null } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'MixedStates*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }
}

Describe 'Piped objects that bind nothing but their state' {
    It 'are refused where the parameters given take no pipeline input, as PowerShell refused them before' {
        $before = GenerationOf $LocA
        $tasks = Get-ClusterTask -StatePath $LocA | Select-Object -First 2
        $other = (Get-ClusterTask -StatePath $LocA | Select-Object -Last 1).Id
        { $tasks | Set-ClusterTask -LiteralId $other -MemoryMB 77 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidArgument*'
        { $tasks | Remove-ClusterTask -LiteralId $other -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidArgument*'
        GenerationOf $LocA | Should -Be $before
    }

    It 'name the state of a command that takes no other pipeline input' {
        (Get-ClusterMetadata -StatePath $LocA | Get-ClusterStatus).TasksTotal | Should -Be (Get-ClusterStatus -StatePath $LocA).TasksTotal
    }
}
