# The cache of remote reads between two local users (issue 13): a cache folder another user made
# is refused, and nothing of one user's cache can be listed or read by the other. Runs as root on
# Linux: the victim (uid A) and the other user (uid B) are throwaway uids entered with setpriv
# (no /etc/passwd entry needed), each with a HOME of its own; root itself could read everything,
# so neither of them is root. They run pwsh from hard links of this PowerShell and of the built
# module in a world-readable temp folder (no bytes copied; /root stays 0700).
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:Token = 'cache-tests-' + [guid]::NewGuid().ToString('N')
    $script:VictimUid = 61234
    $script:OtherUid = 61235

    $script:Skip = if (-not $IsLinux) { 'needs Linux (statx, setpriv)' }
    elseif ((id -u) -ne '0') { 'needs root to run two throwaway uids' }
    elseif (-not (Get-Command setpriv -ErrorAction SilentlyContinue)) { 'needs setpriv (util-linux)' }
    if ($Skip) { return }

    $script:Work = Join-Path '/tmp' ('clusterstate-2users-' + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory $Work | Out-Null
    chmod 0755 $Work
    # What the throwaway uids run: dotnet (world-readable in its own folder), pwsh.dll and the module
    # through hard links in $Work (cp -a when the file system refuses links).
    $script:Dotnet = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($Dotnet) -ne 'dotnet') { $Dotnet = (Get-Command dotnet -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1).Source }
    foreach ($pair in @(@($PSHOME, 'pwsh'), @((Split-Path $env:CLUSTERSTATE_MODULE), 'module'))) {
        cp -al $pair[0] (Join-Path $Work $pair[1]) 2>$null
        if ($LASTEXITCODE -ne 0) { cp -a $pair[0] (Join-Path $Work $pair[1]) }
    }
    chmod -R a+rX (Join-Path $Work 'module')
    $script:Module = Join-Path $Work "module/$(Split-Path $env:CLUSTERSTATE_MODULE -Leaf)"
    $script:PwshDll = Join-Path $Work 'pwsh/pwsh.dll'

    # Each user's HOME: 0755 like a usual home, with a 0755 ~/.cache, so only the cache's own
    # modes keep the other user out.
    function New-UserHome([int] $Uid) {
        $userHome = Join-Path $Work "home-$Uid"
        New-Item -ItemType Directory (Join-Path $userHome '.cache') -Force | Out-Null
        chmod 0755 $userHome (Join-Path $userHome '.cache')
        chown -R "${Uid}:${Uid}" $userHome
        $userHome
    }
    $script:VictimHome = New-UserHome $VictimUid
    $script:OtherHome = New-UserHome $OtherUid

    function Invoke-AsUser {
        # Runs a program as a throwaway uid with a clean environment; returns output lines and the exit code.
        param([int] $Uid, [string] $HomePath, [hashtable] $Environment = @{}, [string[]] $Command)
        $envArgs = @("HOME=$HomePath", 'PATH=/usr/local/bin:/usr/bin:/bin', 'DOTNET_CLI_TELEMETRY_OPTOUT=1', 'POWERSHELL_TELEMETRY_OPTOUT=1')
        $envArgs += foreach ($key in $Environment.Keys) { "$key=$($Environment[$key])" }
        $output = & setpriv "--reuid=$Uid" "--regid=$Uid" --clear-groups env -i @envArgs @Command 2>&1
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = @($output | ForEach-Object { "$_" }) }
    }

    # The dotnet host and its runtimes must be usable by another uid (they are in /usr/share/dotnet;
    # not when dotnet itself lives under /root).
    $probe = if ($Dotnet) { Invoke-AsUser -Uid $OtherUid -HomePath $OtherHome -Command $Dotnet, '--list-runtimes' }
    if (-not $probe -or $probe.ExitCode -ne 0 -or -not ($probe.Output -match '^Microsoft\.NETCore\.App ')) {
        $script:Skip = "a throwaway uid cannot run the dotnet host '$Dotnet': $($probe.Output -join ' ')"
        return
    }

    $script:StatePath = Join-Path $Work 'state'
    New-TestState -Path $StatePath -NodeCount 50 -TaskCount 2000 -ContentCount 300 -Seed 13 | Out-Null
    $script:Server = Start-ClusterStateServer -StatePath $StatePath -Token $Token
}

AfterAll {
    if ($Server) { $Server | Stop-ClusterStateServer -ErrorAction SilentlyContinue }
    if ($Work) { Remove-Item -Recurse -Force $Work -ErrorAction SilentlyContinue }
}

Describe 'The remote-read cache between two local users' {
    BeforeAll {
        if ($Skip) { return }
        # The other user prepares folders for the victim's cache: open to all, and private but theirs,
        # with a cached-looking file inside.
        $script:Shared = Join-Path $Work 'shared'
        New-Item -ItemType Directory $Shared | Out-Null
        chmod 1777 $Shared
        $script:Planted = @{
            Open    = Join-Path $Shared 'cache-0777'
            Private = Join-Path $Shared 'cache-0700'
            Xdg     = Join-Path $Shared 'xdg-0777'
        }
        $hash = [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes($Server.Uri)), 0, 8).ToLowerInvariant()
        foreach ($entry in @(@($Planted.Open, '0777'), @($Planted.Private, '0700'), @($Planted.Xdg, '0777'))) {
            $r = Invoke-AsUser -Uid $OtherUid -HomePath $OtherHome -Command 'sh', '-c', "mkdir -p '$($entry[0])/remote/$hash' '$($entry[0])/clusterstate/remote/$hash' && chmod -R $($entry[1]) '$($entry[0])' && echo fake > '$($entry[0])/remote/$hash/planted.arrow'"
            $r.ExitCode | Should -Be 0 -Because ($r.Output -join "`n")
        }

        # The victim, in one pwsh process: the three planted caches, then its own (~/.cache), a
        # whole-state read (cached as a file) and a row query.
        $script:VictimScript = Join-Path $Work 'victim.ps1'
        Set-Content $VictimScript @'
$ErrorActionPreference = 'Stop'
Import-Module $env:TEST_MODULE
$uri = $env:TEST_URI
$answers = [ordered]@{}
foreach ($case in @(@('Open', 'CLUSTERSTATE_CACHE_PATH', $env:TEST_OPEN), @('Private', 'CLUSTERSTATE_CACHE_PATH', $env:TEST_PRIVATE), @('Xdg', 'XDG_CACHE_HOME', $env:TEST_XDG))) {
    [Environment]::SetEnvironmentVariable($case[1], $case[2])
    try { $answers[$case[0]] = 'read ' + @(Get-ClusterNode -StatePath $uri).Count }
    catch { $answers[$case[0]] = $_.FullyQualifiedErrorId + ' ' + $_.Exception.Message }
    [Environment]::SetEnvironmentVariable($case[1], $null)
}
$answers.Status = (Get-ClusterStatus -StatePath $uri).NodesTotal
$answers.Nodes = @(Get-ClusterNode -StatePath $uri).Count
$answers | ConvertTo-Json -Compress
'@
        chmod 0644 $VictimScript
        $script:Victim = Invoke-AsUser -Uid $VictimUid -HomePath $VictimHome -Environment @{
            TEST_MODULE = $Module; TEST_URI = $Server.Uri; CLUSTERSTATE_SERVER_TOKEN = $Token
            TEST_OPEN = $Planted.Open; TEST_PRIVATE = $Planted.Private; TEST_XDG = $Planted.Xdg
        } -Command $Dotnet, $PwshDll, '-NoProfile', '-NonInteractive', '-File', $VictimScript
        $script:Answers = $Victim.Output | Where-Object { $_ -like '{*' } | Select-Object -Last 1 | ConvertFrom-Json
        $script:VictimCache = Join-Path $VictimHome ".cache/clusterstate"
    }

    It 'refuses a cache folder the other user created (0777 or 0700 theirs, or their XDG_CACHE_HOME) with CacheInsecure, and reads nothing from it' {
        if ($Skip) { Set-ItResult -Skipped -Because $Skip; return }
        $Victim.ExitCode | Should -Be 0 -Because ($Victim.Output -join "`n")
        foreach ($case in 'Open', 'Private', 'Xdg') {
            $Answers.$case | Should -Match '^CacheInsecure,' -Because "the $case folder belongs to uid $OtherUid"
            $Answers.$case | Should -Match "uid $OtherUid"
        }
        # Nothing of the victim's went into them: every entry is still the other user's.
        foreach ($folder in $Planted.Values) {
            foreach ($item in Get-ChildItem -LiteralPath $folder -Recurse -Force) {
                (stat -c '%u' $item.FullName) | Should -Be "$OtherUid" -Because "$($item.FullName) was made by the other user"
            }
        }
    }

    It 'answers from the server through its own cache: the 50 nodes of the server, folders 0700 and files 0600, all the victim''s' {
        if ($Skip) { Set-ItResult -Skipped -Because $Skip; return }
        $Answers.Status | Should -Be 50
        $Answers.Nodes | Should -Be 50
        $entries = @(Get-ChildItem -LiteralPath $VictimCache -Recurse -Force)
        @($entries | Where-Object { $_.Name -like '*.arrow' }).Count | Should -Be 1
        foreach ($item in @(Get-Item -LiteralPath $VictimCache) + $entries) {
            $expected = if ($item.PSIsContainer) { "700 $VictimUid" } else { "600 $VictimUid" }
            (stat -c '%a %u' $item.FullName) | Should -Be $expected -Because $item.FullName
        }
    }

    It 'lets the other user list or read nothing of the victim''s cache' {
        if ($Skip) { Set-ItResult -Skipped -Because $Skip; return }
        $entries = @(Get-Item -LiteralPath $VictimCache) + @(Get-ChildItem -LiteralPath $VictimCache -Recurse -Force)
        $entries.Count | Should -BeGreaterThan 3
        foreach ($item in $entries) {
            $command = if ($item.PSIsContainer) { 'ls' } else { 'cat' }
            $r = Invoke-AsUser -Uid $OtherUid -HomePath $OtherHome -Command $command, $item.FullName
            $r.ExitCode | Should -Not -Be 0 -Because "uid $OtherUid must not $command $($item.FullName)"
            ($r.Output -join "`n") | Should -Match 'Permission denied'
        }
        # The same user can (the checks are about the other one, not about setpriv).
        $file = $entries | Where-Object { $_.Name -like '*.arrow' }
        (Invoke-AsUser -Uid $VictimUid -HomePath $VictimHome -Command 'sh', '-c', "head -c 6 '$($file.FullName)'").Output | Should -Be 'ARROW1'
    }
}
