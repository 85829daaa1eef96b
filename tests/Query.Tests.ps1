# Query cmdlets on a sample state, asserted against the generator's known data; run locally and
# through a ClusterState server, each also over a state with a long commit log (Invoke-PesterRun.ps1
# passes -Mode Local, Remote, Log and RemoteLog).
param([ValidateSet('Local', 'Remote', 'Log', 'RemoteLog')][string] $Mode = 'Local')

BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:StatePath = Join-Path $TestDrive 'state'
    $script:Sample = New-TestState -Path $StatePath
    # Log: the same rows as a base and a long commit log (Common.ps1); every answer must be the same.
    $script:Generation = if ($Mode -in 'Log', 'RemoteLog') { Convert-TestStateToLog $StatePath } else { 1 }
    $script:Nodes = @($Sample.Nodes)
    $script:Tasks = @($Sample.Tasks)
    $script:Content = @($Sample.Content)
    $script:StateLocation = Connect-TestState $StatePath
}

AfterAll { Disconnect-ClusterState; Stop-TestServers }

Describe 'Get-ClusterNode' {
    It 'pipes workers into Where-Object on the flattened CpuLoad' {
        $actual = Get-ClusterNode -Role worker | Where-Object CpuLoad -lt 50
        $expected = $Nodes | Where-Object { $_.Role -eq 'worker' -and $_.CpuLoad -lt 50 }
        $actual.Count | Should -BeGreaterThan 3
        $actual.Id | Should -Be $expected.Id
        $actual[0] | Should -BeOfType ([ClusterState.ClusterNode])
        $actual[0].MemoryAvailable | Should -Be $expected[0].MemoryAvailable
    }

    It 'returns every node in state order without filters' {
        (Get-ClusterNode).Id | Should -Be $Nodes.Id
    }

    It 'combines -Role and -Status with AND and several values with OR' {
        $actual = Get-ClusterNode -Role worker, leecher -Status offline, draining
        $expected = $Nodes | Where-Object { $_.Role -in 'worker', 'leecher' -and $_.Status -in 'offline', 'draining' }
        $actual.Id | Should -Be $expected.Id
    }

    It 'keeps GPU nodes with -GpuAvailable' {
        $expected = $Nodes | Where-Object { $_.GpuCount -gt 0 -and $_.GpuAvailable }
        $expected | Should -Not -BeNullOrEmpty
        (Get-ClusterNode -GpuAvailable).Id | Should -Be $expected.Id
    }

    It 'finds nodes by capability' {
        $expected = $Nodes | Where-Object { $_.Capabilities -contains 'ipfs-cluster' }
        (Get-ClusterNode -Capability ipfs-cluster).Id | Should -Be $expected.Id
    }

    It 'accepts wildcards in -Id and ids from the pipeline' {
        $id = $Nodes[7].Id
        (Get-ClusterNode -Id ($id.Substring(0, 20) + '*')).Id | Should -Contain $id
        ($Nodes[2].Id, $Nodes[4].Id | Get-ClusterNode).Id | Should -Be @($Nodes[2].Id, $Nodes[4].Id)
    }

    It 'writes a non-terminating NodeNotFound error naming an unknown id and goes on' {
        $found = Get-ClusterNode -Id 'no-such-node', $Nodes[1].Id -ErrorVariable errors -ErrorAction SilentlyContinue
        $found.Id | Should -Be $Nodes[1].Id
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'NodeNotFound,*'
        $errors[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $errors[0].TargetObject | Should -Be 'no-such-node'
    }

    It 'outputs nothing and no error for a filter that matches nothing' {
        $result = Get-ClusterNode -Role nobody -ErrorVariable errors
        $result | Should -BeNullOrEmpty
        $errors | Should -BeNullOrEmpty
    }
}

Describe 'Find-ClusterTask' {
    It 'finds pending tasks exactly as the generator made them' {
        $actual = Find-ClusterTask -Status pending
        $expected = $Tasks | Where-Object Status -eq 'pending'
        $actual.Count | Should -Be $expected.Count
        $actual.Id | Should -Be $expected.Id
        $actual[3].CreatedAt | Should -Be $expected[3].CreatedAt
        $actual[3].InputCids | Should -Be $expected[3].InputCids
    }

    It 'returns every task without a filter' {
        (Find-ClusterTask).Count | Should -Be $Tasks.Count
    }

    It 'applies resource minimums inclusively and never matches tasks without resources' {
        $actual = Find-ClusterTask -MinGpuCores 1 -MinMemoryMB 4096 -MinCpuCores 2
        $expected = $Tasks | Where-Object { $_.Resources -and $_.GpuCores -ge 1 -and $_.MemoryMB -ge 4096 -and $_.CpuCores -ge 2 }
        $actual.Id | Should -Be $expected.Id
        (Find-ClusterTask -MinCpuCores 0).Count | Should -Be ($Tasks | Where-Object Resources).Count
    }

    It 'finds the tasks of nodes piped from Get-ClusterNode' {
        $workers = $Nodes | Where-Object Role -eq 'worker'
        $actual = Get-ClusterNode -Role worker | Find-ClusterTask -Status running
        $expected = $Tasks | Where-Object { $_.Status -eq 'running' -and $_.AssignedTo -in $workers.Id }
        $actual.Count | Should -BeGreaterThan 0
        $actual.Id | Should -Be $expected.Id
    }

    It 'finds tasks by -AssignedTo and -Type' {
        $node = ($Tasks | Where-Object AssignedTo | Select-Object -First 1).AssignedTo
        $expected = $Tasks | Where-Object { $_.AssignedTo -eq $node -and $_.Type -in 'inference', 'embedding' }
        (Find-ClusterTask -AssignedTo $node -Type inference, embedding).Id | Should -Be $expected.Id
    }

    It 'rejects -AssignedTo together with nodes from the pipeline (parameter sets)' {
        { Get-ClusterNode -Role master | Find-ClusterTask -AssignedTo x -ErrorAction Stop } | Should -Throw
    }
}

Describe 'Get-ClusterTask' {
    It 'gets tasks by id and reports unknown ones' {
        $ids = $Tasks[10].Id, $Tasks[20].Id
        (Get-ClusterTask -Id $ids).Id | Should -Be $ids
        Get-ClusterTask -Id 'task-missing' -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -BeLike 'TaskNotFound,*'
    }
}

Describe 'Get-ClusterContentMap' {
    It 'maps each CID to its distinct providers, count and replication target' {
        $actual = Get-ClusterContentMap
        $actual.Count | Should -Be $Content.Count
        $actual.Cid | Should -Be $Content.Cid
        for ($i = 0; $i -lt $Content.Count; $i += 97) {
            $distinct = @($Content[$i].Providers | Select-Object -Unique)
            $actual[$i].Providers | Should -Be $distinct
            $actual[$i].ProviderCount | Should -Be $distinct.Count
            $actual[$i].Replication | Should -Be $Content[$i].Replication
        }
    }

    It 'finds under-replicated content with Where-Object' {
        $actual = Get-ClusterContentMap | Where-Object { $_.ProviderCount -lt $_.Replication }
        $expected = $Content | Where-Object { @($_.Providers | Select-Object -Unique).Count -lt $_.Replication }
        $actual.Cid | Should -Be $expected.Cid
    }

    It 'returns one hashtable with -AsHashtable' {
        $map = Get-ClusterContentMap -AsHashtable
        $map | Should -BeOfType ([hashtable])
        $map.Count | Should -Be $Content.Count
        $map[$Content[5].Cid] | Should -Be @($Content[5].Providers | Select-Object -Unique)
    }
}

Describe 'Get-ClusterStatus and Get-ClusterMetadata' {
    It 'summarises the state' {
        $status = Get-ClusterStatus
        $status.NodesTotal | Should -Be $Nodes.Count
        $status.NodesActive | Should -Be ($Nodes | Where-Object Status -eq online).Count
        $status.TasksTotal | Should -Be $Tasks.Count
        $status.TasksByStatus['failed'] | Should -Be ($Tasks | Where-Object Status -eq failed).Count
        $status.ContentTotal | Should -Be $Content.Count
    }

    It 'reports ids, generation, schema version and counts' {
        $m = Get-ClusterMetadata
        $m.ClusterId | Should -Be $Sample.ClusterId
        $m.MasterId | Should -Be $Sample.MasterId
        $m.Generation | Should -Be $Generation
        $m.SchemaVersion | Should -Be 2
        $m.TaskCount | Should -Be $Tasks.Count
        $m.StatePath | Should -Be $StateLocation
    }
}

Describe 'Get-ClusterState' {
    It 'returns the zero-copy snapshot with its record batch' {
        $s = Get-ClusterState
        try {
            $s | Should -BeOfType ([ClusterState.ClusterSnapshot])
            $s.RecordBatch.Length | Should -Be 1
            $s.RecordBatch.Schema.FieldsList.Name | Should -Be @('cluster_id', 'master_id', 'updated_at', 'nodes', 'tasks', 'content')
            $s.IsZeroCopy() | Should -BeTrue
        }
        finally { $s.Dispose() }
    }

    It 'returns nested hashtables with -AsHashtable' {
        $h = Get-ClusterState -AsHashtable
        $h.cluster_id | Should -Be $Sample.ClusterId
        $h.tasks.Count | Should -Be $Tasks.Count
        $h.tasks[5].id | Should -Be $Tasks[5].Id
        $h.nodes[0].resources.memory_total | Should -Be $Nodes[0].MemoryTotal
    }
}
