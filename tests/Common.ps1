# Shared setup of the Pester suites: dot-source in BeforeAll.
Import-Module $env:CLUSTERSTATE_MODULE -Force

function New-TestSample {
    # The generator behind a sample state: the "known data" tests compare cmdlet output with.
    param([int] $NodeCount = 60, [int] $TaskCount = 3000, [int] $ContentCount = 800, [int] $Seed = 11)
    $options = [ClusterState.SampleOptions]@{ NodeCount = $NodeCount; TaskCount = $TaskCount; ContentCount = $ContentCount; Seed = $Seed }
    [ClusterState.SampleCluster]::new($options)
}

function New-TestState {
    param([Parameter(Mandatory)][string] $Path, [int] $NodeCount = 60, [int] $TaskCount = 3000, [int] $ContentCount = 800, [int] $Seed = 11)
    New-ClusterState -Path $Path -NodeCount $NodeCount -TaskCount $TaskCount -ContentCount $ContentCount -Seed $Seed -Force | Out-Null
    New-TestSample -NodeCount $NodeCount -TaskCount $TaskCount -ContentCount $ContentCount -Seed $Seed
}

function Assert-TestTool {
    # For a test that needs a tool from Debian's packages: where build.ps1 could not install it (no
    # apt, no root; it names such tools in CLUSTERSTATE_SKIPPED_TOOLS) the test ends here as
    # skipped, with the reason. Anywhere else a missing tool fails the test.
    param([Parameter(Mandatory)][string] $Command)
    foreach ($entry in $env:CLUSTERSTATE_SKIPPED_TOOLS -split ',') {
        $name, $reason = $entry -split '=', 2
        if ($name -eq $Command) { Set-ItResult -Skipped -Because "$Command is not installed: $reason" }
    }
    (Get-Command $Command -ErrorAction Stop).Source
}

function Invoke-ChildPwsh {
    # Runs a script in a fresh pwsh process (the same PowerShell as this one) with the module
    # path in its environment; returns its output lines and exit code. -Environment sets (or, with
    # $null, removes) variables of the child; -DotnetHost runs pwsh.dll on another dotnet muxer;
    # -WorkingDirectory is the child's current directory (default: this process's).
    param([Parameter(Mandatory)][string] $Script, [int] $TimeoutSeconds = 120, [string] $StandardInput,
        [hashtable] $Environment = @{}, [string] $DotnetHost, [string] $WorkingDirectory)
    $file = Join-Path ([IO.Path]::GetTempPath()) ("clusterstate-child-{0}.ps1" -f [guid]::NewGuid().ToString('N'))
    Set-Content -Path $file -Value $Script
    try {
        $pwshDll = Join-Path $PSHOME 'pwsh.dll'
        $psi = [Diagnostics.ProcessStartInfo]::new()
        if (Test-Path $pwshDll) { $psi.FileName = if ($DotnetHost) { $DotnetHost } else { [Environment]::ProcessPath }; $psi.ArgumentList.Add($pwshDll) }
        elseif ($DotnetHost) { throw "-DotnetHost needs PowerShell as pwsh.dll; '$PSHOME' has none." }
        else { $psi.FileName = Join-Path $PSHOME 'pwsh' }
        if ($WorkingDirectory) { $psi.WorkingDirectory = $WorkingDirectory }
        foreach ($name in $Environment.Keys) {
            if ($null -eq $Environment[$name]) { $null = $psi.Environment.Remove($name) } else { $psi.Environment[$name] = [string]$Environment[$name] }
        }
        # With standard input given, the child may prompt (ShouldProcess) and reads the answers from it.
        $flags = if ($PSBoundParameters.ContainsKey('StandardInput')) { @('-NoProfile') } else { @('-NoProfile', '-NonInteractive') }
        foreach ($a in @($flags) + @('-File', $file)) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardInput = $PSBoundParameters.ContainsKey('StandardInput')
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $psi.UseShellExecute = $false
        $process = [Diagnostics.Process]::Start($psi)
        if ($psi.RedirectStandardInput) { $process.StandardInput.Write($StandardInput); $process.StandardInput.Close() }
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit($TimeoutSeconds * 1000)) { $process.Kill($true); throw "The child pwsh did not finish in $TimeoutSeconds s." }
        [pscustomobject]@{
            ExitCode = $process.ExitCode
            Output   = @($stdout.Result -split "`r?`n" | Where-Object { $_ -ne '' })
            Error    = $stderr.Result
        }
    }
    finally { Remove-Item $file -ErrorAction SilentlyContinue }
}

function Start-ChildPwsh {
    # Starts a script in a fresh pwsh process and returns at once (the process, for
    # WaitForExit); its output goes to $OutFile. For tests where this process waits on that one.
    param([Parameter(Mandatory)][string] $Script, [Parameter(Mandatory)][string] $OutFile)
    $file = Join-Path ([IO.Path]::GetTempPath()) ("clusterstate-child-{0}.ps1" -f [guid]::NewGuid().ToString('N'))
    Set-Content -Path $file -Value $Script
    $pwshDll = Join-Path $PSHOME 'pwsh.dll'
    $psi = [Diagnostics.ProcessStartInfo]::new()
    if (Test-Path $pwshDll) { $psi.FileName = [Environment]::ProcessPath; $psi.ArgumentList.Add($pwshDll) }
    else { $psi.FileName = Join-Path $PSHOME 'pwsh' }
    foreach ($a in '-NoProfile', '-NonInteractive', '-Command', "& '$file' *> '$OutFile'") { $psi.ArgumentList.Add($a) }
    $psi.UseShellExecute = $false
    [Diagnostics.Process]::Start($psi)
}

# Local or remote runs of the same suite: a file with param([string] $Mode) is run twice by
# Invoke-PesterRun.ps1, once against the state directories and once against ClusterState servers
# (real server processes on 127.0.0.1) serving those directories.
$script:TestServers = [System.Collections.Generic.List[object]]::new()
# RemoteLog: through a server whose state has a long commit log (Convert-TestStateToLog).
function Test-RemoteMode { (Get-Variable Mode -ValueOnly -ErrorAction SilentlyContinue) -in 'Remote', 'RemoteLog' }
if (Test-RemoteMode) {
    # Every test server shares one token, so child processes and -StatePath URIs authenticate too.
    $env:CLUSTERSTATE_SERVER_TOKEN = 'pester-' + [guid]::NewGuid().ToString('N')
}

function Get-TestLocation {
    # What tests pass as -StatePath: the directory itself (Local) or the URI of a server for it (Remote).
    param([Parameter(Mandatory)][string] $Path)
    if (-not (Test-RemoteMode)) { return $Path }
    $server = Start-ClusterStateServer -StatePath $Path -Token $env:CLUSTERSTATE_SERVER_TOKEN
    $script:TestServers.Add($server)
    $server.Uri
}

function Connect-TestState {
    # Connects the session to a state directory (Local) or to a server serving it (Remote); returns the location.
    param([Parameter(Mandatory)][string] $Path)
    $location = Get-TestLocation $Path
    if ($location -eq $Path) { Connect-ClusterState -Path $Path } else { Connect-ClusterState -Uri $location }
    $location
}

function Stop-TestServers {
    foreach ($server in $script:TestServers) { Stop-ClusterStateServer -ProcessId $server.ProcessId -ErrorAction SilentlyContinue }
    $script:TestServers.Clear()
}

function New-TestObject([type] $Type, [hashtable] $Properties) {
    # The object with the non-null properties only: PowerShell turns a $null given to a string
    # property into "", and a copy must keep a missing AssignedTo or OutputCid missing.
    foreach ($key in @($Properties.Keys)) { if ($null -eq $Properties[$key]) { $Properties.Remove($key) } }
    $Properties -as $Type
}

function Copy-TestNode($n) {
    $r = $n.Resources
    $resources = $null
    if ($r) {
        $resources = [ClusterState.NodeResources]@{ CpuCount = $r.CpuCount; CpuLoad = $r.CpuLoad; GpuCount = $r.GpuCount; GpuAvailable = $r.GpuAvailable
            MemoryTotal = $r.MemoryTotal; MemoryAvailable = $r.MemoryAvailable; DiskTotal = $r.DiskTotal; DiskAvailable = $r.DiskAvailable }
    }
    New-TestObject ([ClusterState.ClusterNode]) @{ Id = $n.Id; Role = $n.Role; Status = $n.Status; Peers = $n.Peers; Capabilities = $n.Capabilities; Resources = $resources }
}

function Copy-TestTask($t) {
    $r = $t.Resources
    $resources = $null
    if ($r) { $resources = [ClusterState.TaskResources]@{ CpuCores = $r.CpuCores; GpuCores = $r.GpuCores; MemoryMB = $r.MemoryMB } }
    New-TestObject ([ClusterState.ClusterTask]) @{ Id = $t.Id; Type = $t.Type; Status = $t.Status; CreatedAt = $t.CreatedAt; UpdatedAt = $t.UpdatedAt; StartedAt = $t.StartedAt
        CompletedAt = $t.CompletedAt; AssignedTo = $t.AssignedTo; InputCid = $t.InputCid; OutputCid = $t.OutputCid; InputCids = $t.InputCids; OutputCids = $t.OutputCids
        Resources = $resources }
}

function Copy-TestContent($c) {
    New-TestObject ([ClusterState.ClusterContent]) @{ Cid = $c.Cid; Size = $c.Size; CreatedAt = $c.CreatedAt; Providers = $c.Providers; Pinned = $c.Pinned; Replication = $c.Replication }
}

function Convert-TestStateToLog {
    # Log mode: the state at $Path rebuilt as a base and a long commit log that end in exactly
    # the same rows, in the same order, with the same values (issue 15: the query and semantics
    # suites a third time over a state with a long uncompacted log). The base lacks the last
    # third of every entity (added back by commits, forty rows each), holds decoy rows between the
    # others (removed by commits) and altered values in some rows (set back by one commit each,
    # at the row's own updated_at, so even the times come out the same). Returns the generation.
    param([Parameter(Mandatory)][string] $Path)
    $s = [ClusterState.ClusterSnapshot]::Open($Path)
    try {
        $cluster = $s.ClusterId; $master = $s.MasterId; $updated = $s.UpdatedAt; $version = $s.SchemaVersion
        $nodes = @([ClusterState.SnapshotQueries]::FindNodes($s, [ClusterState.NodeQuery]::new()).Items | ForEach-Object { Copy-TestNode $_ })
        $tasks = @([ClusterState.SnapshotQueries]::FindTasks($s, [ClusterState.TaskQuery]::new()).Items | ForEach-Object { Copy-TestTask $_ })
        $content = @([ClusterState.SnapshotQueries]::FindContent($s, [ClusterState.ContentQuery]::new()).Items | ForEach-Object { Copy-TestContent $_ })
    }
    finally { $s.Dispose() }

    # The tail that commits add back: the last third (the fixtures' ids and references pass IdRules, which adds are checked by).
    function Split-Tail($items) {
        $k = [math]::Floor($items.Count / 3)
        @{ Base = @(if ($k -gt 0) { $items[0..($items.Count - $k - 1)] } else { $items }); Tail = @(if ($k -gt 0) { $items[($items.Count - $k)..($items.Count - 1)] }) }
    }
    $split = Split-Tail $nodes
    $nodeBase = $split.Base; $nodeTail = $split.Tail
    $split = Split-Tail $tasks
    $taskBase = $split.Base; $taskTail = $split.Tail
    $split = Split-Tail $content
    $contentBase = $split.Base; $contentTail = $split.Tail

    $restore = [System.Collections.Generic.List[object]]::new()
    $decoys = @{ Nodes = [System.Collections.Generic.List[string]]::new(); Tasks = [System.Collections.Generic.List[string]]::new(); Content = [System.Collections.Generic.List[string]]::new() }
    $i = 0
    $baseNodes = foreach ($n in $nodeBase) {
        if ($n.Resources -and $null -ne $n.Resources.CpuLoad -and ($i % 3) -eq 0) {
            $restore.Add(@{ Node = [ClusterState.NodeUpdate]@{ Id = $n.Id; CpuLoad = $n.Resources.CpuLoad } })
            $copy = Copy-TestNode $n
            $copy.Resources.CpuLoad = 99.5
            $copy
        }
        else { $n }
        if (($i++ % 4) -eq 1) { $d = "log-decoy-node-$i"; $decoys.Nodes.Add($d); [ClusterState.ClusterNode]@{ Id = $d; Role = 'worker'; Status = 'offline' } }
    }
    $i = 0
    $baseTasks = foreach ($t in $taskBase) {
        if ($t.Resources -and $null -ne $t.Resources.MemoryMB -and $null -ne $t.UpdatedAt -and ($i % 25) -eq 0) {
            $restore.Add(@{ Task = [ClusterState.TaskUpdate]@{ Id = $t.Id; MemoryMB = $t.Resources.MemoryMB }; At = $t.UpdatedAt })
            $copy = Copy-TestTask $t
            $copy.UpdatedAt = $t.CreatedAt
            $copy.Resources.MemoryMB = $t.Resources.MemoryMB + 1
            $copy
        }
        else { $t }
        if (($i++ % 7) -eq 3) { $d = "log-decoy-task-$i"; $decoys.Tasks.Add($d); [ClusterState.ClusterTask]@{ Id = $d; Type = 'decoy'; Status = 'pending'; CreatedAt = $updated; UpdatedAt = $updated } }
    }
    $i = 0
    $baseContent = foreach ($c in $contentBase) {
        if ($null -ne $c.Replication -and ($i % 20) -eq 0) {
            $restore.Add(@{ Content = [ClusterState.ContentUpdate]@{ Cid = $c.Cid; Replication = $c.Replication } })
            $copy = Copy-TestContent $c
            $copy.Replication = $c.Replication + 7
            $copy
        }
        else { $c }
        if (($i++ % 6) -eq 2) { $d = "bafylogdecoy$i"; $decoys.Content.Add($d); [ClusterState.ClusterContent]@{ Cid = $d; Size = 1; CreatedAt = $updated } }
    }

    Remove-Item -Recurse -Force $Path
    $baseState = [ClusterState.StateContent]@{ ClusterId = $cluster; MasterId = $master; UpdatedAt = $updated
        Nodes = [ClusterState.ClusterNode[]]@($baseNodes); Tasks = [ClusterState.ClusterTask[]]@($baseTasks); Content = [ClusterState.ClusterContent[]]@($baseContent) }
    $null = [ClusterState.StateStore]::Create($Path, $baseState, [ClusterState.CreateStateOptions]@{ SchemaVersion = $version })
    $generation = 1
    function Commit([ClusterState.ChangeSet] $change, $at) {
        $change.Force = $true
        $options = [ClusterState.CommitOptions]@{ Durable = $false; CompactLogRecords = 0; CompactLogBytes = 0; Now = $(if ($at) { $at } else { $updated }) }
        $null = [ClusterState.StateStore]::Commit($Path, $change, $options)
        $script:LogGeneration++
    }
    $script:LogGeneration = 1
    foreach ($chunk in @(0..([math]::Max(0, $nodeTail.Count - 1)) | Where-Object { $nodeTail.Count } | Group-Object { [math]::Floor($_ / 40) })) {
        $c = [ClusterState.ChangeSet]::new(); foreach ($k in $chunk.Group) { $c.AddNodes.Add($nodeTail[$k]) }; Commit $c
    }
    foreach ($chunk in @(0..([math]::Max(0, $taskTail.Count - 1)) | Where-Object { $taskTail.Count } | Group-Object { [math]::Floor($_ / 40) })) {
        $c = [ClusterState.ChangeSet]::new(); foreach ($k in $chunk.Group) { $c.AddTasks.Add($taskTail[$k]) }; Commit $c
    }
    foreach ($chunk in @(0..([math]::Max(0, $contentTail.Count - 1)) | Where-Object { $contentTail.Count } | Group-Object { [math]::Floor($_ / 40) })) {
        $c = [ClusterState.ChangeSet]::new(); foreach ($k in $chunk.Group) { $c.AddContent.Add($contentTail[$k]) }; Commit $c
    }
    foreach ($r in $restore) {
        $c = [ClusterState.ChangeSet]::new()
        if ($r.Node) { $c.UpdateNodes.Add($r.Node) } elseif ($r.Task) { $c.UpdateTasks.Add($r.Task) } else { $c.UpdateContent.Add($r.Content) }
        Commit $c $r.At
    }
    foreach ($kind in 'Nodes', 'Tasks', 'Content') {
        foreach ($chunk in @($decoys[$kind] | Group-Object { [math]::Floor($decoys[$kind].IndexOf($_) / 40) })) {
            $c = [ClusterState.ChangeSet]::new()
            foreach ($d in $chunk.Group) { $c."Remove$kind".Add($d) }
            Commit $c
        }
    }
    # The base's own updated_at was written last by the final commit; put the original back the same way.
    $script:LogGeneration
}

function Add-TestStateLog {
    # Pads the commit log of the state at $Path to exactly $Records records since its base with
    # commits that change rows and set them back (node CpuLoad, task MemoryMB at the task's own
    # updated_at, content replication, as Convert-TestStateToLog does), so every row, value and
    # the state's updated_at end as they were. It costs the commits alone, whatever the size of
    # the state (Convert-TestStateToLog rebuilds the state: minutes at 100k rows). These commits
    # never compact; later ones do by CommitOptions' defaults once the log passes their
    # thresholds, so keep $Records well below them. Returns the generation.
    param([Parameter(Mandatory)][string] $Path, [Parameter(Mandatory)][int] $Records)
    $ErrorActionPreference = 'Stop'
    $metadata = Get-Content -Raw (Join-Path $Path 'state_metadata.json') | ConvertFrom-Json
    $base = if (-not $metadata.log) { $metadata.generation } elseif ($null -ne $metadata.base_generation) { $metadata.base_generation }
    else { [long]($metadata.snapshot -replace '^snapshot_0*(\d+)\.arrow$', '$1') }
    $missing = $Records - ($metadata.generation - $base)
    if ($missing -lt 0) { throw "The log of $Path already has $($metadata.generation - $base) records, more than $Records." }
    if ($missing -eq 1) { throw "One record cannot change a row and set it back; ask for one more or one fewer than $Records." }

    $s = [ClusterState.ClusterSnapshot]::Open($Path)
    try {
        $updated = $s.UpdatedAt
        # A few rows of each kind, taken lazily: the padding must not cost a pass over a large state.
        $nodes = @([ClusterState.SnapshotQueries]::FindNodes($s, [ClusterState.NodeQuery]::new()).Items |
            Where-Object { $_.Resources -and $null -ne $_.Resources.CpuLoad } | Select-Object -First 10 |
            ForEach-Object { @{ Node = $_.Id; Value = $_.Resources.CpuLoad } })
        $tasks = @([ClusterState.SnapshotQueries]::FindTasks($s, [ClusterState.TaskQuery]::new()).Items |
            Where-Object { $_.Resources -and $null -ne $_.Resources.MemoryMB -and $null -ne $_.UpdatedAt } | Select-Object -First 10 |
            ForEach-Object { @{ Task = $_.Id; Value = $_.Resources.MemoryMB; At = $_.UpdatedAt } })
        $content = @([ClusterState.SnapshotQueries]::FindContent($s, [ClusterState.ContentQuery]::new()).Items |
            Where-Object { $null -ne $_.Replication } | Select-Object -First 10 |
            ForEach-Object { @{ Content = $_.Cid; Value = $_.Replication } })
    }
    finally { $s.Dispose() }
    # Tasks interleaved with the others; the last pair is never a task's, whose restore is dated at
    # the task's own updated_at: the final commit puts the state's updated_at back.
    $rows = @($nodes) + @($tasks) + @($content)
    $last = @($content) + @($nodes)
    if (-not $last) { throw "The state at $Path has no node with a CPU load and no content with a replication to change and set back." }

    function Update($row, $value) {
        $c = [ClusterState.ChangeSet]::new()
        $c.Force = $true
        if ($row.Node) { $c.UpdateNodes.Add([ClusterState.NodeUpdate]@{ Id = $row.Node; CpuLoad = $value }) }
        elseif ($row.Task) { $c.UpdateTasks.Add([ClusterState.TaskUpdate]@{ Id = $row.Task; MemoryMB = $value }) }
        else { $c.UpdateContent.Add([ClusterState.ContentUpdate]@{ Cid = $row.Content; Replication = $value }) }
        $at = if ($row.Task -and $value -eq $row.Value) { $row.At } else { $updated }
        $options = [ClusterState.CommitOptions]@{ Durable = $false; CompactLogRecords = 0; CompactLogBytes = 0; Now = $at }
        [ClusterState.StateStore]::Commit($Path, $c, $options).Generation
    }
    $generation = $metadata.generation
    $i = 0
    while ($missing -gt 0) {
        # Pairs (changed, set back); an odd count ends with a triple (changed twice, set back).
        $row = if ($missing -le 3) { $last[$i % $last.Count] } else { $rows[$i % $rows.Count] }
        # Down from the upper half, up from the lower, so that a CPU load stays within 0-100.
        $sign = if ($row.Value -ge 50) { -1 } else { 1 }
        $null = Update $row ($row.Value + 3 * $sign)
        if ($missing -eq 3) { $null = Update $row ($row.Value + 5 * $sign); $missing-- }
        $generation = Update $row $row.Value
        $missing -= 2
        $i++
    }
    $generation
}
