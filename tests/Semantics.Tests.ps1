# Every seed helper on a hand-built state whose right answers are known: ties, nulls, missing
# resources, running vs completed outputs for orphans, one-sided peer links, external peers.
param([ValidateSet('Local', 'Remote', 'Log', 'RemoteLog')][string] $Mode = 'Local')

BeforeAll {
    . $PSScriptRoot/Common.ps1
    $GiB = [long]1GB
    $T0 = [datetime]::new(2026, 1, 1, 0, 0, 0, [DateTimeKind]::Utc)
    function Node($id, $role, $status, $peers, $caps, $res) {
        [ClusterState.ClusterNode]@{ Id = $id; Role = $role; Status = $status; Peers = [string[]]$peers; Capabilities = [string[]]$caps; Resources = $res }
    }
    function Res($cpu, $load, $gpu, $gpuFree, $memTotal, $memFree, $diskTotal, $diskFree) {
        [ClusterState.NodeResources]@{ CpuCount = $cpu; CpuLoad = $load; GpuCount = $gpu; GpuAvailable = $gpuFree
            MemoryTotal = $memTotal; MemoryAvailable = $memFree; DiskTotal = $diskTotal; DiskAvailable = $diskFree }
    }
    function Task($id, $type, $status, $node, $res, [hashtable] $more = @{}) {
        $t = [ClusterState.ClusterTask]@{ Id = $id; Type = $type; Status = $status; AssignedTo = $node; Resources = $res
            CreatedAt = $T0.AddHours(-1); UpdatedAt = $T0 }
        foreach ($k in $more.Keys) { $t.$k = $more[$k] }
        $t
    }
    function Req($cpu, $gpu, $mem) { [ClusterState.TaskResources]@{ CpuCores = $cpu; GpuCores = $gpu; MemoryMB = $mem } }

    $nodes = [ClusterState.ClusterNode[]]@(
        (Node m1 master online @('w1', 'l1') @('coordination') (Res 8 10 0 $false (16 * $GiB) (8 * $GiB) 100 50))
        (Node w1 worker online @() @('compute', 'gpu') (Res 4 50 2 $true (8 * $GiB) (4 * $GiB) 0 0))
        (Node w2 worker online @('w3', 'ext-peer') @('compute') (Res 4 50 0 $false (8 * $GiB) (4 * $GiB) 100 25))
        (Node w3 worker offline @() @('compute') (Res 64 0 0 $false (64 * $GiB) (64 * $GiB) 100 100))
        (Node w4 worker online @('w2') @() $null)
        (Node l1 leecher online @('m1') @('ipfs') (Res 32 0 0 $false (256 * $GiB) (256 * $GiB) 100 100))
        (Node d1 worker draining @() @('compute') (Res 4 0 0 $false (8 * $GiB) (8 * $GiB) 100 100))
    )
    $tasks = [ClusterState.ClusterTask[]]@(
        (Task t1 infer pending $null (Req 2 0 1024))
        (Task t2 train pending $null (Req 1 1 512))
        (Task t3 infer pending $null $null)
        (Task t4 infer pending $null (Req 8 0 256))
        (Task t5 train running w1 (Req 1 1 256) @{ StartedAt = $T0; InputCid = 'c1'; OutputCid = 'c2'; OutputCids = [string[]]@('c5') })
        (Task t6 train completed w1 (Req 1 1 256) @{ StartedAt = $T0; CompletedAt = $T0.AddSeconds(100); OutputCid = 'c3'; InputCids = [string[]]@('c4') })
        (Task t7 train completed w2 (Req 1 0 256) @{ StartedAt = $T0; CompletedAt = $T0.AddSeconds(300) })
        (Task t8 infer failed w1 (Req 1 0 256) @{ StartedAt = $T0; CompletedAt = $T0.AddSeconds(5) })
        (Task t9 infer assigned w2 (Req 1 0 256))
        (Task t10 infer completed w2 (Req 1 0 256) @{ CompletedAt = $T0 })
        (Task t11 infer cancelled $null $null)
    )
    $content = [ClusterState.ClusterContent[]]@(
        [ClusterState.ClusterContent]@{ Cid = 'c1'; Size = 10; Providers = [string[]]@('w1'); Pinned = $true; Replication = 1 }
        [ClusterState.ClusterContent]@{ Cid = 'c2'; Size = 20; Providers = [string[]]@('w1'); Pinned = $false; Replication = 1 }
        [ClusterState.ClusterContent]@{ Cid = 'c3'; Size = 30; Providers = [string[]]@('w2'); Pinned = $true; Replication = 1 }
        [ClusterState.ClusterContent]@{ Cid = 'c4'; Size = 40; Providers = [string[]]@(); Pinned = $true; Replication = 2 }
        [ClusterState.ClusterContent]@{ Cid = 'c5'; Size = 50; Providers = [string[]]@('l1'); Pinned = $false; Replication = 1 }
        [ClusterState.ClusterContent]@{ Cid = 'c6'; Size = $null; Providers = [string[]]@('w1', 'w2', 'w1'); Pinned = $null; Replication = 3 }
    )
    $script:StatePath = Join-Path $TestDrive 'handbuilt'
    $stateContent = [ClusterState.StateContent]@{ ClusterId = 'hand'; MasterId = 'm1'; UpdatedAt = $T0; Nodes = $nodes; Tasks = $tasks; Content = $content }
    $null = [ClusterState.StateStore]::Create($StatePath, $stateContent, $null)
    # Log: the same rows as a base and a long commit log (Common.ps1); every answer must be the same.
    if ($Mode -in 'Log', 'RemoteLog') { $null = Convert-TestStateToLog $StatePath }
    $script:StateLocation = Connect-TestState $StatePath
}

AfterAll { Disconnect-ClusterState; Stop-TestServers }

Describe 'get_node_by_id / find_nodes_by_role / _by_capability / _with_gpu' {
    It 'filters on the columns with the seed semantics' {
        (Get-ClusterNode -Id w2).Id | Should -Be 'w2'
        (Get-ClusterNode -Role worker).Id | Should -Be @('w1', 'w2', 'w3', 'w4', 'd1')
        (Get-ClusterNode -Capability gpu).Id | Should -Be 'w1'
        (Get-ClusterNode -GpuAvailable).Id | Should -Be 'w1'
        (Get-ClusterNode -GpuAvailable:$false).Id | Should -Be @('m1', 'w2', 'w3', 'w4', 'l1', 'd1')
    }

    It 'keeps a node without resources, with empty resource properties' {
        $w4 = Get-ClusterNode -Id w4
        $w4.Resources | Should -BeNullOrEmpty
        $w4.CpuLoad | Should -BeNullOrEmpty
    }
}

Describe 'find_tasks_by_resource_requirements' {
    It 'never matches a task without resources' {
        (Find-ClusterTask -MinCpuCores 1).Id | Should -Not -Contain 't3'
        (Find-ClusterTask -MinCpuCores 2).Id | Should -Be @('t1', 't4')
        (Find-ClusterTask -MinGpuCores 1).Id | Should -Be @('t2', 't5', 't6')
        (Find-ClusterTask -MinMemoryMB 512 -MinCpuCores 1).Id | Should -Be @('t1', 't2')
    }
}

Describe 'get_node_resource_utilization' {
    It 'computes utilization, GPU share of active tasks, success rate and load index' {
        $u = Get-ClusterNodeUtilization -Id w1
        $u.CpuUtilization | Should -Be 0.5
        $u.MemoryUtilization | Should -Be 0.5
        $u.DiskUtilization | Should -Be 0          # total 0 -> 0
        $u.GpuUtilization | Should -Be 0.5         # t5 running, 1 of 2 GPUs
        $u.ActiveTasks | Should -Be 1
        $u.SuccessRate | Should -Be 0.5            # t6 completed, t8 failed
        $u.LoadIndex | Should -Be 0.375
    }

    It 'leaves GPU empty without GPUs and counts assigned tasks as active' {
        $u = Get-ClusterNodeUtilization -Id w2
        $u.GpuUtilization | Should -BeNullOrEmpty
        $u.ActiveTasks | Should -Be 1              # t9 assigned
        $u.SuccessRate | Should -Be 1
        $u.DiskUtilization | Should -Be 0.75
        [math]::Round($u.LoadIndex, 6) | Should -Be ([math]::Round((0.5 + 0.5 + 0.75) / 3, 6))
    }

    It 'gives empty values for a node without resources and no ended tasks' {
        $u = Get-ClusterNodeUtilization -Id w4
        $u.CpuUtilization | Should -BeNullOrEmpty
        $u.LoadIndex | Should -BeNullOrEmpty
        $u.SuccessRate | Should -BeNullOrEmpty
    }

    It 'takes nodes from the pipeline and reports unknown ids' {
        (Get-ClusterNode -Role master, leecher | Get-ClusterNodeUtilization).NodeId | Should -Be @('m1', 'l1')
        Get-ClusterNodeUtilization -Id nope -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -BeLike 'NodeNotFound,*'
    }
}

Describe 'find_available_node_for_task' {
    It 'breaks a score tie in favour of the node that comes first' {
        $r = Find-ClusterNodeForTask -TaskId t1
        $r.NodeId | Should -Be 'w1'
        $r.Score | Should -Be 0.5
    }

    It 'requires GPUs with gpu_available when the task needs them' {
        (Find-ClusterNodeForTask -TaskId t2).NodeId | Should -Be 'w1'
    }

    It 'uses the defaults cpu 1, gpu 0, 256 MiB for a task without resources' {
        $r = Find-ClusterNodeForTask -TaskId t3
        $r.NodeId | Should -Be 'w1'
        $r.CpuCores, $r.GpuCores, $r.MemoryMB | Should -Be @(1, 0, 256)
    }

    It 'finds no node when no online worker qualifies (offline and non-worker nodes are not candidates)' {
        $r = Find-ClusterNodeForTask -TaskId t4 -WarningVariable w -WarningAction SilentlyContinue
        $r | Should -BeNullOrEmpty
        $w | Should -Not -BeNullOrEmpty
    }

    It 'warns and returns nothing for running, completed, failed or assigned tasks' {
        foreach ($id in 't5', 't6', 't8', 't9') {
            $r = Find-ClusterNodeForTask -TaskId $id -WarningVariable w -WarningAction SilentlyContinue
            $r | Should -BeNullOrEmpty
            "$w" | Should -Match $id
        }
    }

    It 'takes tasks from Find-ClusterTask through the pipeline' {
        (Find-ClusterTask -Status pending | Find-ClusterNodeForTask -WarningAction SilentlyContinue).TaskId | Should -Be @('t1', 't2', 't3')
    }

    It 'reports an unknown task as TaskNotFound' {
        Find-ClusterNodeForTask -TaskId t99 -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -BeLike 'TaskNotFound,*'
        $e[0].TargetObject | Should -Be 't99'
    }
}

Describe 'get_task_execution_metrics' {
    It 'counts, rates and averages with the version-2 timestamps' {
        $m = Get-ClusterTaskMetric
        $m.TotalTasks | Should -Be 11
        $m.CompletedTasks | Should -Be 3
        $m.FailedTasks | Should -Be 1
        $m.PendingTasks | Should -Be 4
        $m.RunningTasks | Should -Be 2            # t5 running + t9 assigned
        $m.CompletionRate | Should -Be 0.75
        $m.AverageExecutionTime | Should -Be 200  # t6 100 s, t7 300 s; t10 has no started_at
        $m.TimedTasks | Should -Be 2
        $m.TasksByType['infer'] | Should -Be 7
        $m.TasksByType['train'] | Should -Be 4
    }
}

Describe 'estimate_time_to_completion' {
    It 'uses the mean of completed tasks of the same type' {
        $e = Get-ClusterTaskEstimate -TaskId t2
        $e.EstimatedSeconds | Should -Be 200
        $e.BasedOnTasks | Should -Be 2
    }

    It 'subtracts the elapsed time of a running task, never below 0' {
        (Get-ClusterTaskEstimate -TaskId t5 -AsOf $T0.AddSeconds(50)).EstimatedSeconds | Should -Be 150
        (Get-ClusterTaskEstimate -TaskId t5 -AsOf $T0.AddSeconds(500)).EstimatedSeconds | Should -Be 0
    }

    It 'is empty when no completed task of the type has timestamps, and 0 for ended tasks' {
        (Get-ClusterTaskEstimate -TaskId t1).EstimatedSeconds | Should -BeNullOrEmpty
        (Get-ClusterTaskEstimate -TaskId t6).EstimatedSeconds | Should -Be 0
        (Get-ClusterTaskEstimate -TaskId t11).EstimatedSeconds | Should -Be 0
    }
}

Describe 'find_orphaned_content / find_content_by_cid / _by_provider' {
    It 'counts outputs of completed tasks only as references' {
        (Get-ClusterContent -Orphaned).Cid | Should -Be @('c2', 'c5', 'c6')
        (Get-ClusterContent -Orphaned:$false).Cid | Should -Be @('c1', 'c3', 'c4')
    }

    It 'finds content by CID, provider and pin state' {
        (Get-ClusterContent -Cid c4).Size | Should -Be 40
        (Get-ClusterContent -Cid 'c[12]').Cid | Should -Be @('c1', 'c2')
        (Get-ClusterContent -Provider w2).Cid | Should -Be @('c3', 'c6')
        (Get-ClusterContent -Pinned).Cid | Should -Be @('c1', 'c3', 'c4')
        (Get-ClusterContent -Pinned:$false).Cid | Should -Be @('c2', 'c5')
        Get-ClusterContent -Cid nope -ErrorVariable e -ErrorAction SilentlyContinue
        $e[0].FullyQualifiedErrorId | Should -BeLike 'ContentNotFound,*'
    }
}

Describe 'get_content_availability_map' {
    It 'lists distinct providers in stored order with count and replication' {
        $c6 = Get-ClusterContentMap -Cid c6
        $c6.Providers | Should -Be @('w1', 'w2')
        $c6.ProviderCount | Should -Be 2
        $c6.Replication | Should -Be 3
        (Get-ClusterContentMap | Where-Object { $_.ProviderCount -lt $_.Replication }).Cid | Should -Be @('c4', 'c6')
    }
}

Describe 'get_cluster_status_summary' {
    It 'sums nodes, resources, tasks and content' {
        $s = Get-ClusterStatus
        $s.NodesTotal | Should -Be 7
        $s.NodesActive | Should -Be 5
        $s.Masters, $s.Workers, $s.Leechers | Should -Be @(1, 5, 1)
        $s.CpuCoresTotal | Should -Be 116
        $s.GpusTotal | Should -Be 2
        $s.GpusAvailable | Should -Be 2
        $s.MemoryTotalGiB | Should -Be 360
        $s.MemoryAvailableGiB | Should -Be 344
        $s.TasksTotal | Should -Be 11
        $s.TasksByStatus['pending'] | Should -Be 4
        $s.ContentTotal | Should -Be 6
        $s.ContentSizeGiB | Should -Be 0
    }
}

Describe 'get_network_topology' {
    BeforeAll { $script:Topology = Get-ClusterTopology }

    It 'has one entry per node with its facts' {
        $Topology.Nodes.Id | Should -Be @('m1', 'w1', 'w2', 'w3', 'w4', 'l1', 'd1')
        ($Topology.Nodes | Where-Object Id -eq 'l1').MemoryGiB | Should -Be 256
    }

    It 'connects each pair once, whichever side lists it, and keeps one-sided links from the larger id' {
        $pairs = $Topology.Connections | Where-Object { -not $_.External } | ForEach-Object { (@($_.Source, $_.Target) | Sort-Object) -join '-' }
        ($pairs | Sort-Object) | Should -Be @('l1-m1', 'm1-w1', 'w2-w3', 'w2-w4')
    }

    It 'reports peers that are not nodes instead of dropping them' {
        $external = $Topology.Connections | Where-Object External
        $external.Source | Should -Be 'w2'
        $external.Target | Should -Be 'ext-peer'
        $Topology.ExternalPeers | Should -Be 'ext-peer'
    }

    It 'renders Graphviz DOT and Mermaid' {
        $dot = Get-ClusterTopology -As Dot
        $dot | Should -Match '^graph "hand" \{'
        $dot | Should -Match '"w4" -- "w2";'
        $dot | Should -Match '"w2" -- "ext-peer" \[style=dotted\];'
        $mermaid = Get-ClusterTopology -As Mermaid
        $mermaid | Should -Match '^graph LR'
        ($mermaid -split "`n" | Where-Object { $_ -match ' --- | -\.- ' }).Count | Should -Be 5
    }
}

Describe 'get_state_path_from_metadata' {
    It 'resolves the session default and describes the files' {
        $r = Resolve-ClusterStatePath
        $r.StatePath | Should -Be $StateLocation
        $r.Source | Should -Be 'Session'
        # A server names the files of its own machine by their names.
        $r.SnapshotPath | Should -Be $(if ($Mode -in 'Remote', 'RemoteLog') { 'snapshot_00000001.arrow' } else { Join-Path $StatePath 'snapshot_00000001.arrow' })
        (Resolve-ClusterStatePath -BaseDirectory $StateLocation).Source | Should -Be 'Explicit'
    }

    It 'stops with StateNotFound for a directory without a state' {
        { Resolve-ClusterStatePath -BaseDirectory (Join-Path $TestDrive 'none') } | Should -Throw -ErrorId 'StateNotFound*'
    }
}

Describe 'get_cluster_state_as_dict and export_state_to_json' {
    It 'keeps nulls and empty lists' {
        $h = Get-ClusterState -AsHashtable
        $h.nodes[4].resources | Should -BeNullOrEmpty
        $h.tasks[2].resources | Should -BeNullOrEmpty
        $h.content[3].providers.Count | Should -Be 0
        $file = Join-Path $TestDrive 'hand.json'
        Export-ClusterState -Path $file
        $json = Get-Content -Raw $file | ConvertFrom-Json -DateKind String
        $json.content[5].size | Should -BeNullOrEmpty
        $json.tasks[4].started_at | Should -Be '2026-01-01T00:00:00.000Z'
        $json.tasks[4].output_cids | Should -Be 'c5'
    }

    It 'exports one CSV file per entity' {
        $dir = Join-Path $TestDrive 'csv'
        $files = Export-ClusterState -Path $dir -Format Csv -PassThru
        $files.Name | Should -Be @('nodes.csv', 'tasks.csv', 'content.csv')
        $nodes = Import-Csv (Join-Path $dir 'nodes.csv')
        $nodes.Count | Should -Be 7
        $nodes[0].peers | Should -Be 'w1;l1'
        $nodes[0].memory_total | Should -Be (16 * $GiB)
        $nodes[4].cpu_count | Should -Be ''
        $tasks = Import-Csv (Join-Path $dir 'tasks.csv')
        $tasks[5].completed_at | Should -Be '2026-01-01T00:01:40.000Z'
        $tasks[2].cpu_cores | Should -Be ''
        (Import-Csv (Join-Path $dir 'content.csv'))[5].providers | Should -Be 'w1;w2;w1'
    }
}
