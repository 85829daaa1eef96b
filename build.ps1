#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds, tests and demonstrates the ClusterState module.
.DESCRIPTION
    Named tasks, run in order:
      Clean  removes out/ and every bin/obj folder.
      Build  publishes the cmdlet assembly with its dependencies and assembles an importable
             module in out/ClusterState (manifest stamped with the version of
             src/Directory.Build.props, format and types files, MAML help).
      Test   builds, runs the xunit engine tests and the Pester cmdlet tests (in a fresh pwsh,
             against the built module) and ends with the line "N passed, N failed".
      Demo   builds, creates a sample cluster state in out/demo-state and shows it.
      Package  builds, then makes out/package/ClusterState.<version>.nupkg, the module as
             PSResourceGet publishes and installs it (Publish-PSResource -NupkgPath, or a folder
             registered with Register-PSResourceRepository): the built module, LICENSE, CHANGELOG.md
             and, per -RuntimeIdentifier, a self-contained trimmed server in server/<rid>/ so
             Start-ClusterStateServer needs no ASP.NET Core shared framework (docs/OPERATIONS.md).
      Bench  engine benchmarks (BenchmarkDotNet: DuckDB over our Parquet, ArrowFileReader,
             open, summary; checkpoint times; memory; the commit log) on the seeded scales, then whole-pipeline
             cmdlet timings against Where-Object and ConvertFrom-Json and the commit timings of
             BenchCommit (the same code) in one warm pwsh;
             regenerates docs/PERFORMANCE.md and docs/performance.svg (about 20 minutes).
             Includes the remote cases: a ClusterState server on the large state, read by pwsh.
      BenchRemote  only the remote cases (on the states a Bench made), then the document again.
      BenchCheckpoint  only the checkpoint measurements (ours and the native baseline), then the document again.
      BenchLog  only the commit log measurements (issue 15: commit latency against the full rewrite
             and SQLite WAL synchronous=FULL, a 1,000-commit log against the compacted state,
             compaction with 4 writers, 8 writer processes x 500 commits with a reader) on copies
             of the reference and large states; rewrites the "## Commit log" section and its goal
             rows of docs/PERFORMANCE.md in place.
      BenchCommit  only the commit measurements (issue 15) in one warm pwsh, on copies of the seeded
             states: single-task commit (cmdlet and engine), 10,000-task pipeline commit, the
             1,000-iteration Set-ClusterTask loop against the same loop of Get-ClusterTask, the
             snapshot copy floors; rewrites the "## Commits" section and its goal rows of
             docs/PERFORMANCE.md in place. -CommitScale picks scales (default all four); -Quick
             measures tiny and small with few runs into out/bench/PERFORMANCE.quick.md instead.
      BenchRevision  the same cmdlet cases (warm open, status scan, id lookup, single commit) with the
             module of -Baseline (a git revision, built in out/baseline) and with this tree's, in
             alternating fresh pwsh processes on one state: medians and ratios of one run.
      Crash  the full count of the kill-the-writer loop (CI kills 40 times; this $CrashKills) and of
             the kill-the-compactor loop (CI: 8 kills during a compaction; this $CompactionKills).
      Fuzz   the full count of the damaged-snapshot loop (CI runs 200 rounds; this runs
             $FuzzRounds) to show that no corruption crashes the process, of the damaged
             commit-log loop (CI 200; this $LogFuzzRounds), and of the loop of
             malformed Flight requests against a real server (CI 300; this $FlightFuzzRounds).
.EXAMPLE
    dotnet tool exec --yes PowerShell@7.6.9 -- ./build.ps1 Demo
.EXAMPLE
    ./build.ps1 Clean, Test
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Clean', 'Build', 'Test', 'Demo', 'Package', 'Bench', 'BenchRemote', 'BenchCheckpoint', 'BenchLog', 'BenchCommit', 'BenchRevision', 'Crash', 'Fuzz')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    [int] $FuzzRounds = 10000,

    # Package: the platforms to ship a self-contained server for (about 18 MB each in the nupkg).
    [ValidateSet('linux-x64', 'linux-arm64', 'linux-musl-x64', 'linux-musl-arm64', 'osx-x64', 'osx-arm64', 'win-x64', 'win-arm64')]
    [string[]] $RuntimeIdentifier = @('linux-x64', 'linux-arm64', 'linux-musl-x64', 'osx-arm64', 'win-x64'),

    # Build, Package: the manifest's ProjectUri (default: the https address of git's origin remote, if any).
    [string] $ProjectUri,

    [int] $FlightFuzzRounds = 5000,

    [int] $LogFuzzRounds = 5000,

    # BenchCommit: the scales to measure (tiny, small, reference, large; default all).
    [ValidateSet('tiny', 'small', 'reference', 'large')]
    [string[]] $CommitScale,

    # BenchCommit: tiny and small scales (unless -CommitScale), few runs, the document written to
    # out/bench/PERFORMANCE.quick.md, docs/PERFORMANCE.md untouched.
    [switch] $Quick,

    # BenchRevision: the git revision to compare this tree with.
    [string] $Baseline = 'HEAD',

    [int] $CrashKills = 250,

    # Crash: kills that land while a compaction runs (kills between compactions are not counted).
    [int] $CompactionKills = 60
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleDir = Join-Path $Out 'ClusterState'
$ResultsDir = Join-Path $Out 'test-results'
$PesterVersion = '5.7.1'
$script:Built = $false

function Invoke-Native {
    # Runs a native command and stops the build when it fails. A simple function on purpose:
    # $args passes switches such as -o through untouched.
    $command, $arguments = $args
    & $command @arguments
    if ($LASTEXITCODE -ne 0) { throw "'$command $($arguments -join ' ')' failed with exit code $LASTEXITCODE." }
}

function Start-FreshPwsh {
    # A new pwsh process of the same PowerShell that runs this build: a loaded module dll stays
    # locked in its process, so anything that imports the module runs in its own.
    param([Parameter(Mandatory)][string] $File, [string[]] $Arguments = @())
    $pwshDll = Join-Path $PSHOME 'pwsh.dll'
    if (Test-Path $pwshDll) { & ([Environment]::ProcessPath) $pwshDll -NoProfile -NonInteractive -File $File @Arguments | Out-Host }
    else { & (Join-Path $PSHOME 'pwsh') -NoProfile -NonInteractive -File $File @Arguments | Out-Host }
    return $LASTEXITCODE
}

function Get-ModuleVersion {
    $props = [xml](Get-Content -Raw (Join-Path $Root 'src/Directory.Build.props'))
    return [string]$props.Project.PropertyGroup.Version
}

function Assert-ToolVersion {
    # README runs the PowerShell named in the tool manifest; keep them in step.
    $manifest = Get-Content -Raw (Join-Path $Root '.config/dotnet-tools.json') | ConvertFrom-Json
    $wanted = [version]$manifest.tools.powershell.version
    if ($PSVersionTable.PSVersion -lt [version]'7.4') { throw "ClusterState needs PowerShell 7.4 or later; this is $($PSVersionTable.PSVersion)." }
    if ([version]$PSVersionTable.PSVersion.ToString() -ne $wanted) {
        Write-Warning "Running on PowerShell $($PSVersionTable.PSVersion); the tool manifest pins $wanted."
    }
}

function Invoke-Clean {
    Write-Host '== Clean' -ForegroundColor Cyan
    Remove-Item -Recurse -Force $Out -ErrorAction SilentlyContinue
    Get-ChildItem -Path (Join-Path $Root 'src'), (Join-Path $Root 'tests') -Directory -Recurse -Include bin, obj |
        Remove-Item -Recurse -Force -ErrorAction SilentlyContinue
}

function Invoke-Build {
    Write-Host '== Build' -ForegroundColor Cyan
    Assert-ToolVersion
    Push-Location $Root
    try { Invoke-Native dotnet tool restore | Out-Null } finally { Pop-Location }
    $publish = Join-Path $Out 'publish'
    Invoke-Native dotnet publish (Join-Path $Root 'src/ClusterState.PowerShell/ClusterState.PowerShell.csproj') `
        -c $Configuration -o $publish --nologo -v quiet '-clp:NoSummary;ErrorsOnly'

    Remove-Item -Recurse -Force $ModuleDir -ErrorAction SilentlyContinue
    New-Item -ItemType Directory -Force $ModuleDir | Out-Null
    Get-ChildItem $publish -File | Where-Object Extension -in '.dll', '.xml' | Copy-Item -Destination $ModuleDir
    Copy-Item (Join-Path $Root 'src/ClusterState.PowerShell/*.ps1xml') $ModuleDir
    # The Arrow Flight server runs as its own process (Start-ClusterStateServer) from server/.
    Invoke-Native dotnet publish (Join-Path $Root 'src/ClusterState.Server/ClusterState.Server.csproj') `
        -c $Configuration -o (Join-Path $ModuleDir 'server') --nologo -v quiet '-clp:NoSummary;ErrorsOnly'

    $version = Get-ModuleVersion
    Write-ModuleManifest -Version $version -Destination (Join-Path $ModuleDir 'ClusterState.psd1')
    Copy-Item (Join-Path $Root 'docs/LICENSE'), (Join-Path $Root 'docs/CHANGELOG.md') $ModuleDir

    $helpExit = Start-FreshPwsh -File (Join-Path $Root 'src/ClusterState.PowerShell/Help/New-MamlHelp.ps1') -Arguments @(
        '-ModulePath', (Join-Path $ModuleDir 'ClusterState.psd1'), '-ExamplesPath', (Join-Path $Root 'docs/help'),
        '-OutFile', (Join-Path $ModuleDir 'en-US/ClusterState.PowerShell.dll-Help.xml'))
    if ($helpExit -ne 0) { throw "Generating the MAML help failed with exit code $helpExit." }
    Copy-Item (Join-Path $Root 'docs/help/about_*.help.txt') (Join-Path $ModuleDir 'en-US')
    $script:Built = $true
    Write-Host "Module $version built in $ModuleDir"
}

function Get-ReleaseNotes([string] $Version) {
    # The section of docs/CHANGELOG.md headed "## <version>" (up to the next "## "): the one
    # source of the manifest's ReleaseNotes.
    $text = Get-Content -Raw (Join-Path $Root 'docs/CHANGELOG.md')
    $match = [regex]::Match($text, "(?ms)^## $([regex]::Escape($Version))\b[^\n]*\n(.*?)(?=^## |\z)")
    if (-not $match.Success) { throw "docs/CHANGELOG.md has no section '## $Version' for the manifest's ReleaseNotes." }
    return $match.Groups[1].Value.Trim()
}

function Get-ProjectUri {
    if ($ProjectUri) { return $ProjectUri }
    $origin = & git -C $Root remote get-url origin 2>$null
    if ($LASTEXITCODE -ne 0 -or -not $origin) { return $null }
    # git@host:owner/name.git and https://host/owner/name.git both become https://host/owner/name.
    $origin = ($origin.Trim() -replace '^git@([^:]+):', 'https://$1/') -replace '\.git$', ''
    if ($origin -notmatch '^https://') { return $null }
    return $origin
}

function Write-ModuleManifest([string] $Version, [string] $Destination) {
    # The source manifest with what lives elsewhere stamped in: the version (src/Directory.Build.props),
    # the release notes (docs/CHANGELOG.md) and the project's address (git or -ProjectUri).
    $manifest = Get-Content -Raw (Join-Path $Root 'ClusterState.psd1')
    $manifest = $manifest -replace "ModuleVersion\s*=\s*'[^']*'", "ModuleVersion        = '$Version'"
    $notes = (Get-ReleaseNotes $Version) -replace "'", "''"
    $manifest = $manifest -replace "ReleaseNotes\s*=\s*''", "ReleaseNotes = '$($notes -replace '\$', '$$$$')'"
    $uri = Get-ProjectUri
    if ($uri) { $manifest = $manifest -replace "(\s*)(LicenseUri\s*=)", "`$1ProjectUri = '$uri'`$1`$2" }
    Set-Content -Path $Destination -Value $manifest -NoNewline
}

function Get-PlatformRuntimeIdentifier {
    # The runtime identifier of this machine, as ServerHost.PlatformRuntimeIdentifier names it.
    $os = if ($IsWindows) { 'win' } elseif ($IsMacOS) { 'osx' }
    elseif ([Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier -match 'musl') { 'linux-musl' } else { 'linux' }
    return "$os-$(([Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture).ToString().ToLowerInvariant())"
}

function Invoke-Package([string[]] $Runtimes) {
    Write-Host "== Package ($($Runtimes -join ', '))" -ForegroundColor Cyan
    $version = Get-ModuleVersion
    $packageDir = Join-Path $Out 'package'
    # PSResourceGet names the package after the folder that holds the manifest.
    $staging = Join-Path $packageDir 'ClusterState'
    Remove-Item -Recurse -Force $packageDir -ErrorAction SilentlyContinue
    New-Item -ItemType Directory -Force $staging | Out-Null
    Copy-Item -Recurse (Join-Path $ModuleDir '*') $staging
    foreach ($rid in $Runtimes) {
        $sw = [Diagnostics.Stopwatch]::StartNew()
        Invoke-Native dotnet publish (Join-Path $Root 'src/ClusterState.Server/ClusterState.Server.csproj') -c $Configuration -r $rid `
            -o (Join-Path $staging "server/$rid") --nologo -v quiet '-clp:NoSummary;ErrorsOnly'
        $size = (Get-ChildItem -Recurse -File (Join-Path $staging "server/$rid") | Measure-Object Length -Sum).Sum
        Write-Host ("  server/{0}: {1:N1} MiB in {2:N0} s" -f $rid, ($size / 1MB), $sw.Elapsed.TotalSeconds)
    }
    # The hosting leftovers of dotnet publish (IIS's web.config, static web assets) serve no purpose
    # here, and the module ships without debug symbols.
    Get-ChildItem -Recurse -File $staging -Include 'web.config', '*.staticwebassets.endpoints.json', '*.pdb' | Remove-Item
    $null = Test-ModuleManifest (Join-Path $staging 'ClusterState.psd1') -ErrorAction Stop
    Import-Module Microsoft.PowerShell.PSResourceGet -ErrorAction Stop
    $null = Compress-PSResource -Path $staging -DestinationPath $packageDir
    $nupkg = Join-Path $packageDir "ClusterState.$version.nupkg"
    if (-not (Test-Path $nupkg)) { throw "Compress-PSResource did not write '$nupkg'." }
    Remove-Item -Recurse -Force $staging
    Write-Host ("Package {0} ({1:N1} MiB)" -f $nupkg, ((Get-Item $nupkg).Length / 1MB))
    return $nupkg
}

function Get-PesterModulePath {
    $project = Join-Path $Root 'tests/TestTools/TestTools.csproj'
    Invoke-Native dotnet restore $project --nologo -v quiet | Out-Null
    $packages = (& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', ''
    $path = Join-Path $packages.Trim() "pester/$PesterVersion/tools/Pester.psd1"
    if (-not (Test-Path $path)) { throw "Pester $PesterVersion was not restored to '$path'." }
    return $path
}

function Install-TestCommand([string] $Command, [string] $Package) {
    # Tools the tests use from Debian's packages (promtool, chromium, Graphviz dot), installed when
    # missing. A fresh machine has apt; installing needs root or sudo (CI and sessions run as root).
    # Where neither apt nor the right to use it exists (macOS, Windows, a locked-down Linux) the
    # tool is named in CLUSTERSTATE_SKIPPED_TOOLS and the tests that need it report themselves
    # skipped with the reason; where apt exists and fails, the test run stops.
    if (Get-Command $Command -ErrorAction SilentlyContinue) { return }
    $root = -not $IsWindows -and (& id -u) -eq '0'
    $reason = if (-not (Get-Command apt-get -ErrorAction SilentlyContinue)) { 'this machine has no apt-get' }
    elseif (-not $root -and -not (Get-Command sudo -ErrorAction SilentlyContinue)) { 'apt-get needs root and there is no sudo' }
    elseif (-not $root) { & sudo -n true 2>$null; if ($LASTEXITCODE -ne 0) { 'apt-get needs root and sudo asks for a password' } }
    if ($reason) {
        Write-Warning "$Command is missing and $reason to install ${Package}: the tests that need $Command are skipped."
        $env:CLUSTERSTATE_SKIPPED_TOOLS = (@($env:CLUSTERSTATE_SKIPPED_TOOLS -split ',' | Where-Object { $_ }) + "${Command}=$reason") -join ','
        return
    }
    Write-Host "Installing $Package (for $Command) with apt-get ..."
    $env:DEBIAN_FRONTEND = 'noninteractive'
    foreach ($arguments in @(@('update', '-qq'), @('install', '-y', '-qq', '--no-install-recommends', $Package))) {
        if ($root) { & apt-get @arguments | Out-Null } else { & sudo -n apt-get @arguments | Out-Null }
    }
    if (-not (Get-Command $Command -ErrorAction SilentlyContinue)) { throw "apt-get could not install ${Package}; $Command is still missing." }
}

function Invoke-Test {
    Write-Host '== Test' -ForegroundColor Cyan
    $env:CLUSTERSTATE_SKIPPED_TOOLS = $null
    Install-TestCommand promtool prometheus
    Install-TestCommand chromium chromium
    Install-TestCommand dot graphviz
    New-Item -ItemType Directory -Force $ResultsDir | Out-Null
    $totals = [ordered]@{ passed = 0; failed = 0; skipped = 0 }
    $problems = [System.Collections.Generic.List[string]]::new()

    # Engine: xunit, results read from the TRX file.
    $trx = Join-Path $ResultsDir 'engine.trx'
    Remove-Item $trx -ErrorAction SilentlyContinue
    & dotnet test (Join-Path $Root 'tests/ClusterState.Engine.Tests/ClusterState.Engine.Tests.csproj') -c $Configuration --nologo `
        --logger 'trx;LogFileName=engine.trx' --logger 'console;verbosity=normal' --results-directory $ResultsDir
    $xunitExit = $LASTEXITCODE
    if (Test-Path $trx) {
        $counters = ([xml](Get-Content -Raw $trx)).TestRun.ResultSummary.Counters
        $totals.passed += [int]$counters.passed
        $totals.failed += [int]$counters.failed + [int]$counters.error + [int]$counters.timeout
        $totals.skipped += [int]$counters.notExecuted
        if ([int]$counters.total -eq 0) { $problems.Add('xunit ran no test') }
    }
    else { $problems.Add("xunit produced no results (exit code $xunitExit)") }
    if ($xunitExit -ne 0 -and $totals.failed -eq 0) { $problems.Add("dotnet test exited with $xunitExit") }

    # The module as admins get it: Package.Tests installs this nupkg (with the server for this platform).
    $env:CLUSTERSTATE_PACKAGE = Invoke-Package @(Get-PlatformRuntimeIdentifier)

    # Cmdlets: Pester in a fresh pwsh against the built module.
    $env:CLUSTERSTATE_PESTER = Get-PesterModulePath
    $env:CLUSTERSTATE_MODULE = Join-Path $ModuleDir 'ClusterState.psd1'
    $summary = Join-Path $ResultsDir 'pester-summary.json'
    Remove-Item $summary -ErrorAction SilentlyContinue
    $pesterExit = Start-FreshPwsh -File (Join-Path $Root 'tests/Invoke-PesterRun.ps1') -Arguments @('-SummaryPath', $summary)
    if (Test-Path $summary) {
        $p = Get-Content -Raw $summary | ConvertFrom-Json
        $totals.passed += $p.Passed
        $totals.failed += $p.Failed
        $totals.skipped += $p.Skipped
        if ($p.Total -eq 0) { $problems.Add('Pester ran no test') }
        if ($p.ContainerFailed -gt 0) { $problems.Add("$($p.ContainerFailed) Pester file(s) failed to run") }
    }
    else { $problems.Add("Pester produced no summary (exit code $pesterExit)") }

    foreach ($problem in $problems) { Write-Host "ERROR: $problem" -ForegroundColor Red }
    $ok = $totals.failed -eq 0 -and $problems.Count -eq 0
    # The last line is read by CI; skipped tests (tools this machine cannot install) are named only when there are any.
    $skipped = if ($totals.skipped -gt 0) { ", $($totals.skipped) skipped" } else { '' }
    Write-Host "$($totals.passed) passed, $($totals.failed) failed$skipped"
    if (-not $ok) { exit 1 }
}

function Invoke-Demo {
    Write-Host '== Demo' -ForegroundColor Cyan
    $env:CLUSTERSTATE_MODULE = Join-Path $ModuleDir 'ClusterState.psd1'
    $exit = Start-FreshPwsh -File (Join-Path $Root 'docs/demo.ps1') -Arguments @('-StatePath', (Join-Path $Out 'demo-state'))
    if ($exit -ne 0) { throw "The demo failed with exit code $exit." }
}

function Invoke-Bench {
    Write-Host '== Bench' -ForegroundColor Cyan
    # Engine first (BenchmarkDotNet, DuckDB, ArrowFileReader, checkpoints, memory): it also
    # generates the seeded states under out/bench that the cmdlet timings reuse.
    $benchRoot = Join-Path $Out 'bench'
    New-Item -ItemType Directory -Force -Path $benchRoot | Out-Null
    Invoke-Native dotnet run --project (Join-Path $Root 'tests/ClusterState.Benchmarks/ClusterState.Benchmarks.csproj') -c Release --nologo `
        -- --root $benchRoot --out (Join-Path $benchRoot 'engine.json')
    Invoke-RemoteBench
    $exit = Start-FreshPwsh -File (Join-Path $Root 'tests/Benchmarks/Cmdlets.Bench.ps1')
    if ($exit -ne 0) { throw "The benchmark failed with exit code $exit." }
}

function Invoke-RemoteBench {
    # A ClusterState server on the large state and a pwsh client: saves out/bench/remote.clixml.
    $env:CLUSTERSTATE_MODULE = Join-Path $ModuleDir 'ClusterState.psd1'
    $exit = Start-FreshPwsh -File (Join-Path $Root 'tests/Benchmarks/Remote.Bench.ps1')
    if ($exit -ne 0) { throw "The remote benchmark failed with exit code $exit." }
}

function Invoke-EngineBenchPart([string] $Part) {
    # One part of the engine measurements (--checkpoints, --log) merged into the last run's
    # out/bench/engine.json, then the document again from the saved cmdlet timings.
    $benchRoot = Join-Path $Out 'bench'
    Invoke-Native dotnet run --project (Join-Path $Root 'tests/ClusterState.Benchmarks/ClusterState.Benchmarks.csproj') -c Release --nologo `
        -- --root $benchRoot --out (Join-Path $benchRoot 'engine.json') $Part
    $env:CLUSTERSTATE_MODULE = Join-Path $ModuleDir 'ClusterState.psd1'
    $exit = Start-FreshPwsh -File (Join-Path $Root 'tests/Benchmarks/Cmdlets.Bench.ps1') -Arguments @('-ReportOnly')
    if ($exit -ne 0) { throw "Writing the report failed with exit code $exit." }
}

function Invoke-RevisionBench {
    # The baseline's sources as they were at -Baseline (git archive, no worktree to clean up),
    # built by their own build.ps1 in a fresh pwsh.
    Write-Host "== Bench (this tree against $Baseline)" -ForegroundColor Cyan
    $revision = (& git -C $Root rev-parse --short $Baseline).Trim()
    if ($LASTEXITCODE -ne 0) { throw "'$Baseline' is not a git revision of this repository." }
    $source = Join-Path $Out "baseline/$revision"
    if (-not (Test-Path (Join-Path $source 'out/ClusterState/ClusterState.psd1'))) {
        Remove-Item -Recurse -Force $source -ErrorAction SilentlyContinue
        New-Item -ItemType Directory -Force $source | Out-Null
        & git -C $Root archive --format=tar -o (Join-Path $source 'src.tar') $revision
        if ($LASTEXITCODE -ne 0) { throw "git archive $revision failed." }
        Invoke-Native tar -xf (Join-Path $source 'src.tar') -C $source
        $exit = Start-FreshPwsh -File (Join-Path $source 'build.ps1') -Arguments @('Build')
        if ($exit -ne 0) { throw "Building $revision failed with exit code $exit." }
    }
    $exit = Start-FreshPwsh -File (Join-Path $Root 'tests/Benchmarks/Revision.Bench.ps1') -Arguments @(
        '-BaselineModule', (Join-Path $source 'out/ClusterState/ClusterState.psd1'), '-BaselineName', $revision,
        '-CurrentModule', (Join-Path $ModuleDir 'ClusterState.psd1'), '-StatePath', (Join-Path $Out "bench-revision/$revision/state"))
    if ($exit -ne 0) { throw "The revision benchmark failed with exit code $exit." }
}

function Invoke-EngineTestLoop([string] $Variable, [int] $Count, [string] $Filter) {
    # One xunit test with its loop count raised through an environment variable (detailed: its summary line is the result).
    Set-Item "Env:$Variable" $Count
    try {
        Invoke-Native dotnet test (Join-Path $Root 'tests/ClusterState.Engine.Tests/ClusterState.Engine.Tests.csproj') -c $Configuration `
            --nologo --filter "FullyQualifiedName~$Filter" --logger 'console;verbosity=detailed'
    }
    finally { Remove-Item "Env:$Variable" }
}

foreach ($t in $Task) {
    switch ($t) {
        'Clean' { Invoke-Clean }
        'Build' { Invoke-Build }
        'Test' { if (-not $script:Built) { Invoke-Build }; Invoke-Test }
        'Demo' { if (-not $script:Built) { Invoke-Build }; Invoke-Demo }
        'Package' { if (-not $script:Built) { Invoke-Build }; $null = Invoke-Package $RuntimeIdentifier }
        'Bench' { if (-not $script:Built) { Invoke-Build }; Invoke-Bench }
        'BenchRemote' {
            # Only the remote cases (after a Bench has made the states), then the document again.
            if (-not $script:Built) { Invoke-Build }
            Write-Host '== Bench (remote)' -ForegroundColor Cyan
            Invoke-RemoteBench
            $exit = Start-FreshPwsh -File (Join-Path $Root 'tests/Benchmarks/Cmdlets.Bench.ps1') -Arguments @('-ReportOnly')
            if ($exit -ne 0) { throw "Writing the report failed with exit code $exit." }
        }
        'BenchCheckpoint' {
            if (-not $script:Built) { Invoke-Build }
            Write-Host '== Bench (checkpoints)' -ForegroundColor Cyan
            Invoke-EngineBenchPart '--checkpoints'
        }
        'BenchLog' {
            if (-not $script:Built) { Invoke-Build }
            Write-Host '== Bench (commit log)' -ForegroundColor Cyan
            $benchRoot = Join-Path $Out 'bench'
            Invoke-Native dotnet run --project (Join-Path $Root 'tests/ClusterState.Benchmarks/ClusterState.Benchmarks.csproj') -c Release --nologo `
                -- --root $benchRoot --out (Join-Path $benchRoot 'engine.json') '--log'
            # Its section and goal rows rewritten in place: no saved figures of a full Bench needed.
            $exit = Start-FreshPwsh -File (Join-Path $Root 'tests/Benchmarks/CommitLog.Bench.ps1')
            if ($exit -ne 0) { throw "Writing the commit log section failed with exit code $exit." }
        }
        'BenchCommit' {
            if (-not $script:Built) { Invoke-Build }
            Write-Host "== Bench (commits$(if ($Quick) { ', quick' }))" -ForegroundColor Cyan
            # The seeded states it copies, generated where missing (a fresh checkout has none).
            $scales = if ($CommitScale) { $CommitScale } elseif ($Quick) { @('tiny', 'small') } else { @('tiny', 'small', 'reference', 'large') }
            Invoke-Native dotnet run --project (Join-Path $Root 'tests/ClusterState.Benchmarks/ClusterState.Benchmarks.csproj') -c Release --nologo `
                -- --root (Join-Path $Out 'bench') --prepare ($scales -join ',')
            $env:CLUSTERSTATE_MODULE = Join-Path $ModuleDir 'ClusterState.psd1'
            $arguments = @()
            if ($CommitScale) { $arguments += '-Scale', ($CommitScale -join ',') }
            if ($Quick) { $arguments += '-Quick' }
            $exit = Start-FreshPwsh -File (Join-Path $Root 'tests/Benchmarks/Commits.Bench.ps1') -Arguments $arguments
            if ($exit -ne 0) { throw "The commit benchmark failed with exit code $exit." }
        }
        'BenchRevision' {
            if (-not $script:Built) { Invoke-Build }
            Invoke-RevisionBench
        }
        'Crash' {
            Write-Host "== Crash ($CrashKills kills of a writer, $CompactionKills of a compactor)" -ForegroundColor Cyan
            Invoke-EngineTestLoop CLUSTERSTATE_CRASH_KILLS $CrashKills 'WriterKilledAtRandomPoints'
            Invoke-EngineTestLoop CLUSTERSTATE_COMPACTION_KILLS $CompactionKills 'CompactorKilledAtRandomPoints'
        }
        'Fuzz' {
            Write-Host "== Fuzz ($FuzzRounds snapshot rounds, $LogFuzzRounds commit-log rounds, $FlightFuzzRounds Flight rounds)" -ForegroundColor Cyan
            Invoke-EngineTestLoop CLUSTERSTATE_FUZZ_ROUNDS $FuzzRounds 'NeverCrashes'
            Invoke-EngineTestLoop CLUSTERSTATE_LOG_FUZZ_ROUNDS $LogFuzzRounds 'DamagedLog_OpensAtAGoodGeneration'
            Invoke-EngineTestLoop CLUSTERSTATE_LOG_FUZZ_ROUNDS $LogFuzzRounds 'DamagedSummary_IsPassedOver'
            Invoke-EngineTestLoop CLUSTERSTATE_FLIGHT_FUZZ_ROUNDS $FlightFuzzRounds 'Fuzzed_requests_get_clean_answers'
        }
    }
}
