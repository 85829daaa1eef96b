# Every output type through the formatting and serialization cmdlets operators use, and tab
# completion from the live state.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:StatePath = Join-Path $TestDrive 'objects'
    $script:Sample = New-TestState -Path $StatePath -NodeCount 30 -TaskCount 1000 -ContentCount 200 -Seed 17
    Connect-ClusterState -Path $StatePath
    $pending = Find-ClusterTask -Status pending | Select-Object -First 1
    $script:Outputs = [ordered]@{
        'ClusterState.ClusterNode'        = @{ Value = (Get-ClusterNode | Select-Object -First 3); Columns = 'Id', 'Role', 'Status', 'CpuCount', 'CpuLoad', 'MemoryAvailable', 'GpuCount' }
        'ClusterState.ClusterTask'        = @{ Value = (Get-ClusterTask | Select-Object -First 3); Columns = 'Id', 'Type', 'Status', 'AssignedTo', 'CpuCores', 'MemoryMB', 'CreatedAt' }
        'ClusterState.ClusterContent'     = @{ Value = (Get-ClusterContent | Select-Object -First 3); Columns = 'Cid', 'Size', 'Providers', 'Pinned', 'Replication' }
        'ClusterState.ContentMapEntry'    = @{ Value = (Get-ClusterContentMap | Select-Object -First 3); Columns = 'Cid', 'Providers', 'ProviderCount', 'Replication' }
        'ClusterState.ClusterMetadata'    = @{ Value = (Get-ClusterMetadata); Columns = 'ClusterId', 'MasterId', 'Generation', 'SchemaVersion' }
        'ClusterState.ClusterStatus'      = @{ Value = (Get-ClusterStatus); Columns = 'NodesTotal', 'NodesActive', 'TasksTotal', 'ContentTotal' }
        'ClusterState.NodeUtilization'    = @{ Value = (Get-ClusterNodeUtilization | Select-Object -First 3); Columns = 'NodeId', 'CpuUtilization', 'MemoryUtilization', 'LoadIndex' }
        'ClusterState.NodeForTask'        = @{ Value = (Find-ClusterNodeForTask -TaskId $pending.Id); Columns = 'TaskId', 'NodeId', 'Score' }
        'ClusterState.TaskMetrics'        = @{ Value = (Get-ClusterTaskMetric); Columns = 'TotalTasks', 'CompletionRate', 'AverageExecutionTime' }
        'ClusterState.TaskEstimate'       = @{ Value = (Get-ClusterTaskEstimate -TaskId $pending.Id); Columns = 'TaskId', 'Status', 'EstimatedSeconds', 'BasedOnTasks' }
        'ClusterState.ClusterTopology'    = @{ Value = (Get-ClusterTopology); Columns = 'Nodes', 'Connections', 'ExternalPeers' }
        'ClusterState.TopologyNode'       = @{ Value = ((Get-ClusterTopology).Nodes | Select-Object -First 3); Columns = 'Id', 'Role', 'MemoryGiB' }
        'ClusterState.TopologyConnection' = @{ Value = ((Get-ClusterTopology).Connections | Select-Object -First 3); Columns = 'Source', 'Target', 'External' }
        'ClusterState.StateLocation'      = @{ Value = (Resolve-ClusterStatePath); Columns = 'StatePath', 'SnapshotPath', 'Source' }
    }
}

AfterAll { Disconnect-ClusterState }

Describe 'Output types' {
    It '<_> has a table view first and passes through Format-Table, Select-Object *, ConvertTo-Json and Export-Csv' -ForEach @(
        'ClusterState.ClusterNode', 'ClusterState.ClusterTask', 'ClusterState.ClusterContent', 'ClusterState.ContentMapEntry',
        'ClusterState.ClusterMetadata', 'ClusterState.ClusterStatus', 'ClusterState.NodeUtilization', 'ClusterState.NodeForTask',
        'ClusterState.TaskMetrics', 'ClusterState.TaskEstimate', 'ClusterState.ClusterTopology', 'ClusterState.TopologyNode',
        'ClusterState.TopologyConnection', 'ClusterState.StateLocation'
    ) {
        $type = $_
        $case = $Outputs[$type]
        $value = @($case.Value)
        $value.Count | Should -BeGreaterThan 0
        $value[0].PSObject.TypeNames[0] | Should -Be $type

        $views = (Get-FormatData -TypeName $type).FormatViewDefinition
        $views[0].Control | Should -BeOfType ([System.Management.Automation.TableControl])

        $table = $value | Format-Table | Out-String -Width 400
        $headers = $views[0].Control.Headers.Label
        foreach ($h in $headers) { $table | Should -Match ([regex]::Escape($h)) }

        $selected = $value | Select-Object *
        foreach ($c in $case.Columns) { $selected[0].PSObject.Properties.Name | Should -Contain $c }

        $json = $value | ConvertTo-Json -Depth 3 | ConvertFrom-Json
        foreach ($c in $case.Columns) { @($json)[0].PSObject.Properties.Name | Should -Contain $c }

        $csv = Join-Path $TestDrive "$type.csv"
        $value | Export-Csv -Path $csv
        $header = (Get-Content $csv -TotalCount 1) -split ',' -replace '"', ''
        foreach ($c in $case.Columns) { $header | Should -Contain $c }
        @(Import-Csv $csv).Count | Should -Be $value.Count
    }

    It 'a snapshot passes through Format-Table and Select-Object without touching its buffers' {
        $s = Get-ClusterState
        try {
            ($s | Format-Table | Out-String) | Should -Match $Sample.ClusterId
            ($s | Select-Object ClusterId, Generation, TaskCount).TaskCount | Should -Be 1000
        }
        finally { $s.Dispose() }
    }
}

Describe 'Tab completion' {
    BeforeAll {
        function Complete([string] $line) {
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        }
    }

    It 'completes roles, node statuses and capabilities from the state' {
        Complete 'Get-ClusterNode -Role w' | Should -Be 'worker'
        Complete 'Get-ClusterNode -Status ' | Should -Be @('online', 'offline', 'draining')
        Complete 'Get-ClusterNode -Capability g' | Should -Contain 'gpu'
    }

    It 'completes task statuses and types' {
        Complete 'Find-ClusterTask -Status c' | Should -Be @('completed', 'cancelled')
        $types = @($Sample.Tasks | ForEach-Object Type | Sort-Object -Unique)
        Complete 'Find-ClusterTask -Type ' | Should -Be $types
    }

    It 'completes node ids, task ids, CIDs and providers by prefix' {
        $node = $Sample.Nodes[5].Id
        Complete "Get-ClusterNode -Id $($node.Substring(0, 14))" | Should -Contain $node
        Complete "Find-ClusterTask -AssignedTo $($node.Substring(0, 14))" | Should -Contain $node
        $task = @($Sample.Tasks)[42].Id
        Complete "Get-ClusterTask -Id $($task.Substring(0, 12))" | Should -Contain $task
        $cid = @($Sample.Content)[7].Cid
        Complete "Get-ClusterContent -Cid $($cid.Substring(0, 12))" | Should -Contain $cid
        Complete "Get-ClusterContent -Provider $($node.Substring(0, 14))" | Should -Contain $node
    }

    It 'completes from the state named by -StatePath on the same command line' {
        $other = Join-Path $TestDrive 'other'
        $otherSample = New-TestState -Path $other -NodeCount 3 -TaskCount 5 -ContentCount 2 -Seed 99
        Complete "Get-ClusterNode -StatePath '$other' -Id 12D3" | Should -Be $otherSample.Nodes.Id
    }

    It 'offers nothing, quietly, when no state resolves' {
        Complete "Get-ClusterNode -StatePath '$(Join-Path $TestDrive 'nothing')' -Role " | Should -BeNullOrEmpty
    }
}

Describe 'Lazy row objects' {
    It 'read their rows after later commits, the removal of their snapshot and of the state itself' {
        $dir = Join-Path $TestDrive 'lazy'
        New-TestState -Path $dir -NodeCount 5 -TaskCount 1000 -ContentCount 10 -Seed 31 | Out-Null
        $expected = Get-ClusterTask -StatePath $dir | Select-Object -Skip 500 -First 3 | ConvertTo-Json -Compress
        $tasks = Get-ClusterTask -StatePath $dir
        # Later commits replace the snapshot these objects came from; cleanup deletes it.
        1..5 | ForEach-Object { Set-ClusterTask -StatePath $dir -Id $tasks[0].Id -MemoryMB (100 + $_) }
        Remove-Item -Recurse -Force $dir
        [ClusterState.ClusterSnapshot]::ClearCache(); [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
        $tasks[500..502] | ConvertTo-Json -Compress | Should -Be $expected
        $tasks[0].MemoryMB | Should -Not -Be 105 -Because 'an object shows the generation it was read from'
    }
}
