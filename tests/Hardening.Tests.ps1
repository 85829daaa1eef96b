# What the write cmdlets accept (issue 13): removed nodes' tasks, ids with wildcard, control or
# bidi characters, over-long ids and case variants, overflowing increments, empty commits, and
# failures after a commit. Run locally and through a ClusterState server (-Mode Remote).
param([ValidateSet('Local', 'Remote')][string] $Mode = 'Local')

BeforeAll {
    . $PSScriptRoot/Common.ps1
    function Generation { (Get-ClusterMetadata).Generation }

    # A state as one written before these rules (or by another program) may hold it: ids with
    # wildcard characters, a task assigned to a node that is gone. Imports take states as they are.
    function New-LegacyState([string] $Name) {
        $path = Join-Path $TestDrive $Name
        $json = Join-Path $TestDrive "$Name.json"
        @{
            cluster_id = 'legacy'; master_id = 'n1'; updated_at = '2026-11-30T08:00:00Z'
            nodes      = @(@{ id = 'n1'; role = 'worker'; status = 'online'; peers = @(); capabilities = @() })
            tasks      = @(
                @{ id = 'wild*'; type = 'x'; status = 'pending' }
                @{ id = 'wild1'; type = 'x'; status = 'pending' }
                @{ id = 't-ghost'; type = 'x'; status = 'running'; assigned_to = 'gone' }
            )
            content    = @(@{ cid = 'bafy[1]'; providers = @(); pinned = $true; replication = 1 }, @{ cid = 'bafy1'; providers = @(); pinned = $true; replication = 1 })
        } | ConvertTo-Json -Depth 6 | Set-Content -LiteralPath $json
        Import-ClusterState -Path $json -StatePath $path | Out-Null
        Connect-TestState $path | Out-Null
        $path
    }
}

AfterAll { Disconnect-ClusterState; Stop-TestServers }

Describe 'Remove-ClusterNode and the tasks assigned to the node' {
    BeforeAll {
        $script:Path = Join-Path $TestDrive 'nodes'
        New-TestState -Path $script:Path -NodeCount 12 -TaskCount 300 -ContentCount 10 -Seed 5 | Out-Null
        Connect-TestState $script:Path | Out-Null
        $script:Node = Get-ClusterNode -Role worker | Where-Object { @(Find-ClusterTask -AssignedTo $_.Id).Count -gt 0 } | Select-Object -First 1
        $script:Tasks = @(Find-ClusterTask -AssignedTo $script:Node.Id)
    }

    It 'refuses to remove a node with assigned tasks, stating how many, and writes nothing' {
        $before = Generation
        $err = { Remove-ClusterNode -Id $script:Node.Id -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'NodeHasTasks*' -PassThru
        $err.Exception.Message | Should -BeLike "$($script:Tasks.Count) task(s)*"
        $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
        Generation | Should -Be $before
        Get-ClusterNode -Id $script:Node.Id | Should -Not -BeNullOrEmpty
    }

    It '-Force removes it and returns its unfinished tasks to pending in the same commit' {
        $before = Generation
        Remove-ClusterNode -Id $script:Node.Id -Force -Confirm:$false
        Generation | Should -Be ($before + 1)
        $after = Get-ClusterTask -Id $script:Tasks.Id
        $after | Where-Object AssignedTo | Should -BeNullOrEmpty
        foreach ($t in $after) {
            $was = $script:Tasks | Where-Object Id -EQ $t.Id
            if ($was.Status -in 'completed', 'failed', 'cancelled') { $t.Status | Should -Be $was.Status }
            else { $t.Status | Should -Be 'pending'; $t.StartedAt | Should -BeNullOrEmpty }
        }
        # Every task can be edited afterwards.
        $script:Tasks | Set-ClusterTask -CpuCores 1
        Generation | Should -Be ($before + 2)
    }
}

Describe 'A task whose node is already gone' {
    BeforeAll { New-LegacyState 'ghost' | Out-Null }

    It 'can be completed and changed without touching the assignment' {
        Set-ClusterTask -Id t-ghost -Status completed -CpuCores 2 -ErrorAction Stop
        (Get-ClusterTask -Id t-ghost).Status | Should -Be 'completed'
        { Set-ClusterTask -Id t-ghost -AssignedTo gone -ErrorAction Stop } | Should -Throw -ErrorId 'AssignedNodeNotFound*'
    }
}

Describe 'Ids with wildcard characters' {
    BeforeAll { New-LegacyState 'wild' | Out-Null }

    It 'refuses to add them, as ids and as references' {
        $before = Generation
        { Add-ClusterTask -Id 'new*' -Type x -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidId*'
        { Add-ClusterNode -Id 'node?' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidId*'
        { Add-ClusterContent -Cid 'bafy[2]' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidId*'
        { Add-ClusterTask -Id 'ok' -Type x -InputCid 'bafy*' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidId*'
        { Set-ClusterNode -Id n1 -AddPeer 'peer*' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidId*'
        { Set-ClusterContent -Cid bafy1 -AddProvider 'p?' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidId*'
        Generation | Should -Be $before
    }

    It 'refuses a typed -Id with wildcards on Set and Remove instead of touching other items' {
        $before = Generation
        { Remove-ClusterTask -Id 'wild*' -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidId*'
        { Set-ClusterTask -Id 'wild?' -Type y -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidId*'
        { Remove-ClusterContent -Cid 'bafy[1]' -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidId*'
        Generation | Should -Be $before
        (Get-ClusterTask).Id | Should -Be @('wild*', 'wild1', 't-ghost')
    }

    It '-LiteralId reads, changes and removes exactly the id that holds them' {
        (Get-ClusterTask -LiteralId 'wild*').Id | Should -Be 'wild*'
        (Get-ClusterContent -LiteralCid 'bafy[1]').Cid | Should -Be 'bafy[1]'
        (Set-ClusterTask -LiteralId 'wild*' -Type y -PassThru).Id | Should -Be 'wild*'
        $gone = Remove-ClusterTask -LiteralId 'wild*' -Confirm:$false -PassThru
        @($gone).Id | Should -Be @('wild*')
        (Get-ClusterTask).Id | Should -Be @('wild1', 't-ghost')
        Remove-ClusterContent -LiteralCid 'bafy[1]' -Confirm:$false
        (Get-ClusterContent).Cid | Should -Be @('bafy1')
    }

    It 'piped objects still bind by their exact id' {
        New-LegacyState 'wild-piped' | Out-Null
        $gone = Get-ClusterTask -LiteralId 'wild*' | Remove-ClusterTask -Confirm:$false -PassThru
        @($gone).Id | Should -Be @('wild*')
        (Get-ClusterTask).Id | Should -Be @('wild1', 't-ghost')
    }
}

Describe 'Id rules' {
    BeforeAll {
        $script:Path = Join-Path $TestDrive 'ids'
        New-TestState -Path $script:Path -NodeCount 5 -TaskCount 20 -ContentCount 5 -Seed 2 | Out-Null
        Connect-TestState $script:Path | Out-Null
    }

    It 'refuses <Name> ids' -ForEach @(
        @{ Name = 'over-long'; Id = 'a' * 257 }
        @{ Name = '1 MB'; Id = 'a' * 1MB }
        @{ Name = 'NUL'; Id = "nul`0x" }
        @{ Name = 'control-character'; Id = "bell`ax" }
        @{ Name = 'right-to-left override'; Id = "task-`u{202E}fdp.exe" }
        @{ Name = 'lone-surrogate'; Id = "lone$([char]0xD800)x" }
        @{ Name = 'padded'; Id = ' task' }
    ) {
        $before = Generation
        { Add-ClusterTask -Id $Id -Type x -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidId*'
        { Add-ClusterNode -Id $Id -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidId*'
        Generation | Should -Be $before
    }

    It 'accepts an id of 256 bytes' {
        Add-ClusterTask -Id ('a' * 256) -Type x
        Get-ClusterTask -Id ('a' * 256) | Should -Not -BeNullOrEmpty
    }

    It 'refuses an id that differs from an existing one only in case' {
        Add-ClusterTask -Id 'task-X' -Type x
        { Add-ClusterTask -Id 'TASK-X' -Type x -ErrorAction Stop } | Should -Throw -ErrorId 'DuplicateId*'
        @(Get-ClusterTask -Id 'task-x').Count | Should -Be 1
    }
}

Describe 'Increments and empty change sets' {
    BeforeAll {
        $script:Path = Join-Path $TestDrive 'numbers'
        New-TestState -Path $script:Path -NodeCount 5 -TaskCount 20 -ContentCount 5 -Seed 2 | Out-Null
        Connect-TestState $script:Path | Out-Null
    }

    It '-ReplicationDelta beyond [int]::MaxValue is InvalidResourceValue, not a negative target' {
        $cid = (Get-ClusterContent)[0].Cid
        $err = { Set-ClusterContent -Cid $cid -ReplicationDelta ([int]::MaxValue) -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidResourceValue*' -PassThru
        $err.Exception.Message | Should -Not -BeLike '*negative*'
    }

    It 'a placement that places nothing makes no generation' {
        Get-ClusterTask | Where-Object Status -EQ pending | Remove-ClusterTask -Confirm:$false
        $before = Generation
        Invoke-ClusterTaskPlacement | Should -BeNullOrEmpty
        Generation | Should -Be $before
    }
}

Describe 'A failure after the commit' {
    # Remote: the server writes the automatic checkpoint after its commit action; a failure of it is logged there.
    BeforeAll {
        $script:Path = Join-Path $TestDrive 'after'
        New-TestState -Path $script:Path -NodeCount 5 -TaskCount 20 -ContentCount 5 -Seed 2 | Out-Null
        Connect-TestState $script:Path | Out-Null
        Set-ClusterStateCheckpointPolicy -EveryCommits 1
        # A file where the checkpoint folder should be: the automatic checkpoint after each commit fails.
        Set-Content -LiteralPath (Join-Path $script:Path 'checkpoints') -Value 'in the way'
    }

    # One of the two applies per mode, chosen at discovery (not a test skipped in the other mode).
    if ($Mode -eq 'Remote') {
        It 'is, through a server, logged there while the client gets the commit once' {
            $before = Generation
            $n = Add-ClusterNode -Id after-r -PassThru -ErrorVariable errs -ErrorAction SilentlyContinue
            $n.Id | Should -Be 'after-r'
            $errs.Count | Should -Be 0
            Generation | Should -Be ($before + 1)
        }
    }
    else {
        It 'is a non-terminating FailedAfterCommit error saying the commit happened' {
            $before = Generation
            $n = Add-ClusterNode -Id after-1 -PassThru -ErrorVariable errs -ErrorAction SilentlyContinue
            $n.Id | Should -Be 'after-1'
            Generation | Should -Be ($before + 1)
            $errs.Count | Should -Be 1
            $errs[0].FullyQualifiedErrorId | Should -BeLike 'FailedAfterCommit*'
            $errs[0].Exception.Message | Should -BeLike "Generation $($before + 1) of * was committed; do not repeat the command.*checkpoint*"
            # -ErrorAction Stop turns it into a terminating error, but the change is there: not twice.
            { Set-ClusterNode -Id after-1 -Status offline -ErrorAction Stop } | Should -Throw -ErrorId 'FailedAfterCommit*'
            Generation | Should -Be ($before + 2)
        }
    }
}
