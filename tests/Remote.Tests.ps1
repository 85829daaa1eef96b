# The ClusterState server as its own process and clients in other pwsh processes: loopback only,
# tokens, four remote writers, restarts, remote watching and waiting, TLS. (The query and write
# suites also run against servers: see their -Mode Remote runs.) Invoke-PesterRun.ps1 runs it twice:
# -Mode Local on states as New-TestState makes them, -Mode Log on the same states with a long
# uncompacted commit log (issue 15: the remote suite passes unchanged over a server whose state
# has a long log). The servers are real processes in both modes.
param([ValidateSet('Local', 'Log')][string] $Mode = 'Local')

BeforeAll {
    . $PSScriptRoot/Common.ps1
    # Log: every state of the suite has this many records in its log, so it starts at this
    # generation + 1; far below CommitOptions' thresholds (4,096 records, 64 MiB), so the
    # suite's own commits, in the server or in clients, never compact it away.
    $script:LogRecords = 800
    $script:Generation = if ($Mode -eq 'Log') { 1 + $LogRecords } else { 1 }

    function New-RemoteTestState {
        # New-TestState, and in Log mode the same rows as a base and a log of $LogRecords records
        # (Convert-TestStateToLog adds, updates and removes rows by commits; rebuilding a state of
        # 100k tasks that way takes minutes, so larger states get only the commits that change
        # rows and set them back, Add-TestStateLog). Checks that the log is really there.
        param([Parameter(Mandatory)][string] $Path, [int] $NodeCount, [int] $TaskCount, [int] $ContentCount, [int] $Seed)
        $sample = New-TestState @PSBoundParameters
        if ($Mode -eq 'Log') {
            if ($TaskCount -le 20000) { $null = Convert-TestStateToLog $Path }
            $null = Add-TestStateLog $Path -Records $LogRecords
            $metadata = Get-Content -Raw (Join-Path $Path 'state_metadata.json') | ConvertFrom-Json
            $metadata.log | Should -Not -BeNullOrEmpty
            $metadata.log_length | Should -BeGreaterThan 0
            $metadata.snapshot | Should -Be 'snapshot_00000001.arrow' -Because 'the base is the first generation: the log holds every commit since'
            $metadata.generation | Should -Be $Generation
        }
        (Get-ClusterMetadata -StatePath $Path).Generation | Should -Be $Generation
        $sample
    }
    $script:Token = 'remote-tests-' + [guid]::NewGuid().ToString('N')

    function Get-ListeningAddress([int] $Port) {
        # The local addresses of listening TCP sockets on the port, from /proc/net/tcp and tcp6.
        foreach ($file in '/proc/net/tcp', '/proc/net/tcp6') {
            if (-not (Test-Path $file)) { continue }
            foreach ($line in Get-Content $file | Select-Object -Skip 1) {
                $f = $line.Trim() -split '\s+'
                $address, $hexPort = $f[1] -split ':'
                if ([Convert]::ToInt32($hexPort, 16) -eq $Port -and $f[3] -eq '0A') { $address }
            }
        }
    }
}

AfterAll { Disconnect-ClusterState }

Describe 'Start-ClusterStateServer and Stop-ClusterStateServer' {
    BeforeAll {
        $script:StatePath = Join-Path $TestDrive 'server'
        New-RemoteTestState -Path $StatePath -NodeCount 10 -TaskCount 500 -ContentCount 50 -Seed 26 | Out-Null
    }

    It 'starts a server that listens on loopback only, answers, and stops' {
        $server = Start-ClusterStateServer -StatePath $StatePath
        try {
            $server.Uri | Should -Match '^grpc://127\.0\.0\.1:\d+$'
            $server.Token.Length | Should -BeGreaterOrEqual 32
            $server.StatePath | Should -Be (Resolve-Path $StatePath).Path
            $port = [int]($server.Uri -replace '.*:')
            if (Test-Path /proc/net/tcp) { @(Get-ListeningAddress $port) | Should -Be @('0100007F') }   # 127.0.0.1, nothing else
            $tcp = [Net.Sockets.TcpClient]::new()
            $tcp.Connect('127.0.0.1', $port)
            $tcp.Connected | Should -BeTrue
            $tcp.Dispose()
            (Get-Process -Id $server.ProcessId).HasExited | Should -BeFalse
        }
        finally { $server | Stop-ClusterStateServer }
        { Get-Process -Id $server.ProcessId -ErrorAction Stop } | Should -Throw
    }

    It 'outlives the session that started it unless -StopWithSession ties it to that session' {
        $modulePath = $env:CLUSTERSTATE_MODULE
        $r = Invoke-ChildPwsh -Script @"
Import-Module '$modulePath'
`$a = Start-ClusterStateServer -StatePath '$StatePath'
`$b = Start-ClusterStateServer -StatePath '$StatePath' -StopWithSession
"`$(`$a.ProcessId) `$(`$a.StopsWithSession) `$(`$b.ProcessId) `$(`$b.StopsWithSession) `$(`$b.MaxRequestMB)"
"@
        $r.ExitCode | Should -Be 0
        $outlives, $outlivesFlag, $tied, $tiedFlag, $maxRequest = $r.Output[-1] -split ' '
        $outlivesFlag | Should -Be 'False'
        $tiedFlag | Should -Be 'True'
        $maxRequest | Should -Be '64'
        try {
            # The tied server checks for its session once a second.
            $deadline = [DateTime]::UtcNow.AddSeconds(15)
            while ((Get-Process -Id $tied -ErrorAction SilentlyContinue) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
            Get-Process -Id $tied -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            (Get-Process -Id $outlives).HasExited | Should -BeFalse
        }
        finally {
            Stop-ClusterStateServer -ProcessId $outlives -ErrorAction SilentlyContinue
            Stop-Process -Id $tied -ErrorAction SilentlyContinue
        }
    }

    It 'refuses a missing state and an unknown process with clear errors' {
        { Start-ClusterStateServer -StatePath (Join-Path $TestDrive 'nothing') -ErrorAction Stop } | Should -Throw -ErrorId 'StateNotFound*'
        { Stop-ClusterStateServer -ProcessId 999999 -ErrorAction Stop } | Should -Throw -ErrorId 'ServerNotFound*'
        { Stop-ClusterStateServer -ProcessId $PID -ErrorAction Stop } | Should -Throw -ErrorId 'ServerNotFound*'
    }
}

Describe 'Connecting and authentication' {
    BeforeAll {
        $script:StatePath = Join-Path $TestDrive 'auth'
        $script:Sample = New-RemoteTestState -Path $StatePath -NodeCount 12 -TaskCount 300 -ContentCount 40 -Seed 41
        $script:Server = Start-ClusterStateServer -StatePath $StatePath -Token $Token
    }
    AfterAll { $Server | Stop-ClusterStateServer }

    It 'connects with the server object from the pipeline and reads the same state' {
        $m = $Server | Connect-ClusterState -PassThru
        $m.StatePath | Should -Be $Server.Uri
        $m.ClusterId | Should -Be $Sample.ClusterId
        (Get-ClusterTask).Id | Should -Be @($Sample.Tasks).Id
        (Resolve-ClusterStatePath).StatePath | Should -Be $Server.Uri
        Disconnect-ClusterState
    }

    It 'refuses a wrong or missing token with ServerUnauthorized (PermissionDenied), and writes nothing' {
        { Connect-ClusterState -Uri $Server.Uri -Token 'wrong' -ErrorAction Stop } | Should -Throw -ErrorId 'ServerUnauthorized*'
        $r = Invoke-ChildPwsh -Script @"
Import-Module '$env:CLUSTERSTATE_MODULE'
`$env:CLUSTERSTATE_SERVER_TOKEN = `$null
try { Add-ClusterNode -StatePath '$($Server.Uri)' -Id intruder -ErrorAction Stop } catch { `$_.FullyQualifiedErrorId; `$_.CategoryInfo.Category }
"@
        $r.Output[0] | Should -BeLike 'ServerUnauthorized*'
        $r.Output[1] | Should -Be 'PermissionDenied'
        (Get-ClusterMetadata -StatePath $StatePath).Generation | Should -Be $Generation
    }

    It 'takes the token from the environment at each call when none was given' {
        $env:CLUSTERSTATE_SERVER_TOKEN = $null
        try {
            { Get-ClusterNode -StatePath $Server.Uri -ErrorAction Stop } | Should -Throw -ErrorId 'ServerUnauthorized*'
            $env:CLUSTERSTATE_SERVER_TOKEN = $Token
            @(Get-ClusterNode -StatePath $Server.Uri).Count | Should -Be 12
        }
        finally { $env:CLUSTERSTATE_SERVER_TOKEN = $null }
    }

    It 'rejects an address that is not a server URI' {
        { Connect-ClusterState -Uri 'http://127.0.0.1:1' -ErrorAction Stop } | Should -Throw -ErrorId 'RemoteUriInvalid*'
        { Connect-ClusterState -Uri 'grpc://127.0.0.1:1/state' -ErrorAction Stop } | Should -Throw -ErrorId 'RemoteUriInvalid*'
    }

    It 'refuses cmdlets that need the state directory itself when given a server' {
        { Start-ClusterStateServer -StatePath $Server.Uri -ErrorAction Stop } | Should -Throw -ErrorId 'RemoteNotSupported*'
    }
}

Describe 'Queries evaluated by the server' {
    BeforeAll {
        $script:StatePath = Join-Path $TestDrive 'pushdown'
        # A cache of this run's own: the folder is named by the server's URI, and another run on this
        # machine that had a server on the same port may have left a copy in the shared one.
        $script:CachePathBefore = $env:CLUSTERSTATE_CACHE_PATH
        $env:CLUSTERSTATE_CACHE_PATH = Join-Path $TestDrive 'cache'
        $script:Sample = New-RemoteTestState -Path $StatePath -NodeCount 30 -TaskCount 20000 -ContentCount 500 -Seed 46
        $script:Server = Start-ClusterStateServer -StatePath $StatePath -Token $Token
        Connect-ClusterState -Uri $Server.Uri -Token $Token
        # The private cache folder of this server's copies (see RemoteCache).
        $hash = [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes($Server.Uri)), 0, 8).ToLowerInvariant()
        $cacheRoot = if ($env:CLUSTERSTATE_CACHE_PATH) { $env:CLUSTERSTATE_CACHE_PATH }
        elseif ($env:XDG_CACHE_HOME -and [IO.Path]::IsPathFullyQualified($env:XDG_CACHE_HOME)) { Join-Path $env:XDG_CACHE_HOME 'clusterstate' }
        else { Join-Path $HOME '.cache/clusterstate' }
        $script:CacheFolder = Join-Path $cacheRoot "remote/$hash"
    }
    AfterAll { Disconnect-ClusterState; $Server | Stop-ClusterStateServer; $env:CLUSTERSTATE_CACHE_PATH = $CachePathBefore }

    It 'answers filters, ids, orphans and id completion like the state directory without copying the whole state' {
        $ids = @($Sample.Tasks)[10, 20].Id + 'task-missing'
        (Find-ClusterTask -Status failed -MinCpuCores 2).Id | Should -Be (Find-ClusterTask -StatePath $StatePath -Status failed -MinCpuCores 2).Id
        $remote = Get-ClusterTask -Id $ids -ErrorVariable remoteErrors -ErrorAction SilentlyContinue
        $local = Get-ClusterTask -StatePath $StatePath -Id $ids -ErrorVariable localErrors -ErrorAction SilentlyContinue
        $remote.Id | Should -Be $local.Id
        $remoteErrors.TargetObject | Should -Be $localErrors.TargetObject
        (Get-ClusterNode -Role worker -GpuAvailable).Id | Should -Be (Get-ClusterNode -StatePath $StatePath -Role worker -GpuAvailable).Id
        (Get-ClusterContent -Orphaned).Cid | Should -Be (Get-ClusterContent -StatePath $StatePath -Orphaned).Cid
        (Get-ClusterContent -Orphaned:$false -Pinned).Cid | Should -Be (Get-ClusterContent -StatePath $StatePath -Orphaned:$false -Pinned).Cid
        $task = @($Sample.Tasks)[77].Id
        $line = "Get-ClusterTask -Id $($task.Substring(0, 12))"
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain $task
        @(Get-ChildItem $CacheFolder -Filter *.arrow -ErrorAction SilentlyContinue).Count | Should -Be 0
        # A summary needs the whole state: one copy of the current generation, mapped from then on.
        (Get-ClusterStatus).TasksTotal | Should -Be 20000
        @(Get-ChildItem $CacheFolder -Filter *.arrow).Count | Should -Be 1
    }
}

Describe 'Progress of a remote read' {
    BeforeAll {
        $script:StatePath = Join-Path $TestDrive 'progress'
        New-RemoteTestState -Path $StatePath -NodeCount 50 -TaskCount 200000 -ContentCount 100000 -Seed 47 | Out-Null
        $script:Server = Start-ClusterStateServer -StatePath $StatePath -Token $Token
    }
    AfterAll { $Server | Stop-ClusterStateServer }

    It 'shows rows received of all rows while the whole state is fetched, and completes' {
        $ps = [powershell]::Create()
        try {
            $status = $ps.AddScript("Import-Module '$env:CLUSTERSTATE_MODULE'; Connect-ClusterState -Uri '$($Server.Uri)' -Token '$Token'; Get-ClusterStatus").Invoke()
            $ps.HadErrors | Should -BeFalse -Because ($ps.Streams.Error | Out-String)
            $status.TasksTotal | Should -Be 200000
            $records = @($ps.Streams.Progress | Where-Object Activity -eq 'Reading the cluster state')
            $records.Count | Should -BeGreaterThan 1
            $records[0].StatusDescription | Should -Match 'of 300,050 rows'
            $records[-1].RecordType | Should -Be 'Completed'
        }
        finally { $ps.Dispose() }
    }
}

Describe 'Four remote writer processes' {
    BeforeAll {
        $script:StatePath = Join-Path $TestDrive 'writers'
        $sample = New-RemoteTestState -Path $StatePath -NodeCount 8 -TaskCount 100 -ContentCount 10 -Seed 42
        $script:Cid = @($sample.Content)[0].Cid
        $script:Start = @($sample.Content)[0].Replication
        $script:Server = Start-ClusterStateServer -StatePath $StatePath -Token $Token
    }
    AfterAll { $Server | Stop-ClusterStateServer }

    It 'loses no commit: 4 processes x 10 increments through the server' {
        $children = foreach ($i in 1..4) {
            $out = Join-Path $TestDrive "writer-$i.txt"
            $p = Start-ChildPwsh -OutFile $out -Script @"
Import-Module '$env:CLUSTERSTATE_MODULE'
Connect-ClusterState -Uri '$($Server.Uri)' -Token '$Token'
foreach (`$n in 1..10) { (Set-ClusterContent -Cid '$Cid' -ReplicationDelta 1 -PassThru).Replication }
"@
            [pscustomobject]@{ Process = $p; Out = $out }
        }
        foreach ($c in $children) { $c.Process.WaitForExit(120000) | Should -BeTrue; $c.Process.ExitCode | Should -Be 0 -Because (Get-Content -Raw $c.Out) }
        (Get-ClusterContent -StatePath $StatePath -Cid $Cid).Replication | Should -Be ($Start + 40)
        (Get-ClusterMetadata -StatePath $StatePath).Generation | Should -Be ($Generation + 40)
        # One commit per increment, in one line of generations: the change log has each once.
        $changes = @(Watch-ClusterState -StatePath $StatePath -AfterGeneration $Generation -Count 40 -Timeout 10)
        $changes.Generation | Should -Be (($Generation + 1)..($Generation + 40))
        $changes | ForEach-Object { $_.Content.UpdatedIds | Should -Be @($Cid) }
    }
}

Describe 'A server restarted mid-run' {
    BeforeAll {
        $script:StatePath = Join-Path $TestDrive 'restart'
        $script:Sample = New-RemoteTestState -Path $StatePath -NodeCount 8 -TaskCount 200 -ContentCount 20 -Seed 43
        $script:Server = Start-ClusterStateServer -StatePath $StatePath -Token $Token
        $script:Port = [int]($Server.Uri -replace '.*:')
        Connect-ClusterState -Uri $Server.Uri -Token $Token
    }
    AfterAll { Disconnect-ClusterState; Get-Variable Server -Scope Script -ValueOnly | Stop-ClusterStateServer -ErrorAction SilentlyContinue }

    It 'fails reads and writes with ServerUnavailable while it is down, then answers with the current state' {
        $node = @($Sample.Nodes | Where-Object Status -ne 'draining')[1].Id
        (Get-ClusterNode -Id $node).Status | Should -Not -Be 'draining'
        $Server | Stop-ClusterStateServer
        { Get-ClusterNode -Id $node -ErrorAction Stop } | Should -Throw -ErrorId 'ServerUnavailable*'
        { Add-ClusterTask -Type inference -ErrorAction Stop } | Should -Throw -ErrorId 'ServerUnavailable*'
        # Meanwhile a local writer changes the state the server will serve again.
        Set-ClusterNode -StatePath $StatePath -Id $node -Status draining
        $script:Server = Start-ClusterStateServer -StatePath $StatePath -Token $Token -Port $Port
        (Get-ClusterNode -Id $node).Status | Should -Be 'draining'
        (Get-ClusterMetadata).Generation | Should -Be ($Generation + 1)
        (Add-ClusterTask -Id after-restart -Type inference -PassThru).Id | Should -Be 'after-restart'
        (Get-ClusterMetadata -StatePath $StatePath).Generation | Should -Be ($Generation + 2)
    }
}

Describe 'A server restarted under a writing client' {
    BeforeAll {
        $script:StatePath = Join-Path $TestDrive 'restart-writer'
        $sample = New-RemoteTestState -Path $StatePath -NodeCount 8 -TaskCount 100 -ContentCount 10 -Seed 48
        $script:Cid = @($sample.Content)[0].Cid
        $script:Start = @($sample.Content)[0].Replication
        $script:Server = Start-ClusterStateServer -StatePath $StatePath -Token $Token
        $script:Port = [int]($Server.Uri -replace '.*:')
    }
    AfterAll { Get-Variable Server -Scope Script -ValueOnly | Stop-ClusterStateServer -ErrorAction SilentlyContinue }

    It 'never applies a change twice: every commit is one increment, and the client hears of each it made' {
        $out = Join-Path $TestDrive 'restart-writer.txt'
        $writer = Start-ChildPwsh -OutFile $out -Script @"
Import-Module '$env:CLUSTERSTATE_MODULE'
Connect-ClusterState -Uri '$($Server.Uri)' -Token '$Token'
`$ok = 0; `$unavailable = 0
for (`$n = 0; `$n -lt 80; `$n++) {
    try { Set-ClusterContent -Cid '$Cid' -ReplicationDelta 1 -ErrorAction Stop; `$ok++ }
    catch { if (`$_.FullyQualifiedErrorId -like 'ServerUnavailable*') { `$unavailable++ } else { throw } }
    Start-Sleep -Milliseconds 40
}
"RESULT `$ok `$unavailable"
"@
        # Stop the server once the client is committing, and start it again a second later.
        $deadline = (Get-Date).AddSeconds(60)
        while ((Get-ClusterMetadata -StatePath $StatePath).Generation -lt ($Generation + 5) -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 100 }
        $Server | Stop-ClusterStateServer
        Start-Sleep -Seconds 1
        $script:Server = Start-ClusterStateServer -StatePath $StatePath -Token $Token -Port $Port
        $writer.WaitForExit(120000) | Should -BeTrue
        $writer.ExitCode | Should -Be 0 -Because (Get-Content -Raw $out)
        $ok, $unavailable = ((Get-Content $out | Where-Object { $_ -like 'RESULT *' }) -split ' ')[1, 2] | ForEach-Object { [int]$_ }
        $unavailable | Should -BeGreaterThan 0 -Because 'the client ran while the server was down'
        $commits = (Get-ClusterMetadata -StatePath $StatePath).Generation - $Generation
        (Get-ClusterContent -StatePath $StatePath -Cid $Cid).Replication | Should -Be ($Start + $commits)
        $commits | Should -BeGreaterOrEqual $ok
        $commits | Should -BeLessOrEqual ($ok + $unavailable)
        $ok | Should -BeGreaterThan 6
    }
}

Describe 'Watching and waiting remotely' {
    BeforeAll {
        $script:StatePath = Join-Path $TestDrive 'watch'
        $script:Sample = New-RemoteTestState -Path $StatePath -NodeCount 8 -TaskCount 100 -ContentCount 10 -Seed 44
        $script:Server = Start-ClusterStateServer -StatePath $StatePath -Token $Token
        Connect-ClusterState -Uri $Server.Uri -Token $Token
    }
    AfterAll { Disconnect-ClusterState; $Server | Stop-ClusterStateServer }

    It 'Watch-ClusterState streams the commits another process makes through the server' {
        $out = Join-Path $TestDrive 'watch-writer.txt'
        $writer = Start-ChildPwsh -OutFile $out -Script @"
Import-Module '$env:CLUSTERSTATE_MODULE'
Start-Sleep -Seconds 2
Connect-ClusterState -Uri '$($Server.Uri)' -Token '$Token'
foreach (`$n in 1..3) { Add-ClusterTask -Id "watched-`$n" -Type inference }
"@
        $changes = @(Watch-ClusterState -Count 3 -Timeout 60)
        $writer.WaitForExit(60000) | Should -BeTrue
        $changes.Count | Should -Be 3
        $changes.Generation | Should -Be @(($Generation + 1)..($Generation + 3))
        $changes.Tasks.AddedIds | Should -Be @('watched-1', 'watched-2', 'watched-3')
        $changes[0].StatePath | Should -Be $Server.Uri
    }

    It 'Watch-ClusterState returns the changed objects through the server: all ids past 100, a change larger than one message, across a compaction' {
        $g = (Get-ClusterMetadata).Generation
        # One commit of 10,000 tasks: its JSON passes the 3 MiB of one result, so it travels in parts.
        $big = 1..10000 | ForEach-Object { [pscustomobject]@{ Id = "remote-feed-$_"; Type = 'inference'; MemoryMB = $_; CpuCores = 1 + $_ % 4; InputCid = "bafy-in-$_" } }
        $big | Add-ClusterTask
        $updated = @($big.Id | Select-Object -First 130)
        $updated | Set-ClusterTask -MemoryMB 2222
        $local = @{}   # the tasks as that commit left them, read from the directory itself
        Get-ClusterTask -StatePath $StatePath -Id $updated | ForEach-Object { $local[$_.Id] = $_ }
        Remove-ClusterTask -Id ($big.Id | Select-Object -Last 105) -Confirm:$false
        Optimize-ClusterState -Confirm:$false | Out-Null
        Set-ClusterTask -Id 'remote-feed-1' -Status failed -Force
        $changes = @(Watch-ClusterState -AfterGeneration $g -Timeout 1)
        $changes.Generation | Should -Be @(($g + 1)..($g + 4))
        $changes | ForEach-Object { $_.Known | Should -BeTrue; $_.StatePath | Should -Be $Server.Uri }

        $changes[0].Tasks.Added | Should -Be 10000
        $changes[0].Tasks.AddedIds | Should -Be $big.Id
        $changes[0].ChangedTasks.Count | Should -Be 10000
        $changes[0].ChangedTasks[0] | Should -BeOfType ([ClusterState.ClusterTask])
        $changes[0].ChangedTasks.MemoryMB | Should -Be $big.MemoryMB
        $changes[0].ChangedTasks.CpuCores | Should -Be $big.CpuCores
        $changes[0].ChangedTasks.InputCid | Should -Be $big.InputCid
        # It did pass one message's 3 MiB (RequestLimits.ChangeChunkBytes) as JSON, so it came in parts.
        [Text.Json.JsonSerializer]::Serialize([object]$changes[0].ChangedTasks, [ClusterState.ClusterTask[]], [Text.Json.JsonSerializerOptions]$null).Length | Should -BeGreaterThan 3MB

        $changes[1].Tasks.UpdatedIds | Should -Be $updated
        foreach ($t in $changes[1].ChangedTasks) {
            $t.MemoryMB | Should -Be 2222
            foreach ($p in 'Type', 'Status', 'CreatedAt', 'UpdatedAt', 'CpuCores', 'InputCid') { $t.$p | Should -Be $local[$t.Id].$p -Because "$p of $($t.Id)" }
        }
        $changes[2].Tasks.RemovedIds | Should -Be @($big.Id | Select-Object -Last 105)
        $changes[3].ChangedTasks.Status | Should -Be 'failed'
        $changes[3].ChangedTasks.MemoryMB | Should -Be 2222
    }

    It 'Wait-ClusterTask returns when another process completes the task, and times out with WaitTimeout' {
        $task = (Find-ClusterTask -Status running | Select-Object -First 1).Id
        { Wait-ClusterTask -Id $task -Timeout 0.5 -ErrorAction Stop } | Should -Throw -ErrorId 'WaitTimeout*'
        # The writer names the server by its URI and takes the token from its environment.
        $env:CLUSTERSTATE_SERVER_TOKEN = $Token
        try {
            $writer = Start-ChildPwsh -OutFile (Join-Path $TestDrive 'wait-writer.txt') -Script @"
Import-Module '$env:CLUSTERSTATE_MODULE'
Start-Sleep -Seconds 2
Set-ClusterTask -StatePath '$($Server.Uri)' -Id '$task' -Status completed
"@
        }
        finally { $env:CLUSTERSTATE_SERVER_TOKEN = $null }
        $done = Wait-ClusterTask -Id $task -Timeout 60
        $writer.WaitForExit(60000) | Should -BeTrue
        $done.Status | Should -Be 'completed'
    }
}

Describe 'TLS' {
    BeforeAll {
        $script:StatePath = Join-Path $TestDrive 'tls'
        $script:Sample = New-RemoteTestState -Path $StatePath -NodeCount 6 -TaskCount 50 -ContentCount 5 -Seed 45
        # A self-signed certificate for 127.0.0.1, made with .NET (no openssl needed).
        $key = [Security.Cryptography.RSA]::Create(2048)
        $request = [Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=127.0.0.1', $key, 'SHA256', [Security.Cryptography.RSASignaturePadding]::Pkcs1)
        $san = [Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder]::new()
        $san.AddIpAddress([Net.IPAddress]::Loopback)
        $request.CertificateExtensions.Add($san.Build())
        $certificate = $request.CreateSelfSigned([DateTimeOffset]::UtcNow.AddDays(-1), [DateTimeOffset]::UtcNow.AddDays(1))
        $script:Pfx = Join-Path $TestDrive 'server.pfx'
        $script:Cer = Join-Path $TestDrive 'server.cer'
        [IO.File]::WriteAllBytes($Pfx, $certificate.Export('Pfx'))
        [IO.File]::WriteAllBytes($Cer, $certificate.Export('Cert'))
        $script:Server = Start-ClusterStateServer -StatePath $StatePath -Token $Token -Certificate $Pfx
    }
    AfterAll { Disconnect-ClusterState; $Server | Stop-ClusterStateServer }

    It 'serves grpc+tls:// and is read by a client that trusts its certificate' {
        $Server.Uri | Should -Match '^grpc\+tls://127\.0\.0\.1:\d+$'
        Connect-ClusterState -Uri $Server.Uri -Token $Token -ServerCertificate $Cer
        (Get-ClusterTask).Count | Should -Be 50
        (Add-ClusterTask -Id over-tls -Type inference -PassThru).Id | Should -Be 'over-tls'
        (Get-ClusterMetadata -StatePath $StatePath).Generation | Should -Be ($Generation + 1)
    }

    It 'is refused by a client that does not trust the certificate' {
        { Connect-ClusterState -Uri $Server.Uri -Token $Token -ErrorAction Stop } | Should -Throw -ErrorId 'ServerCertificateRejected*'
    }
}
