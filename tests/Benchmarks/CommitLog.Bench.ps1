#!/usr/bin/env pwsh
<#
.SYNOPSIS
    `build.ps1 BenchLog`, after tests/ClusterState.Benchmarks --log measured the commit log: the
    "## Commit log" section and the commit log goal rows of docs/PERFORMANCE.md rewritten in place
    from the "Log" part of out/bench/engine.json (CommitLog.Report.ps1, as `build.ps1 Bench`
    renders them).
.DESCRIPTION
    Every other part of the document stays as it is, so BenchLog needs no saved figures of a full
    `build.ps1 Bench` (a fresh checkout has none). The section says when these figures were measured.
#>
param(
    [string] $EngineResults = (Join-Path $PSScriptRoot '../../out/bench/engine.json'),
    [string] $OutFile = (Join-Path $PSScriptRoot '../../docs/PERFORMANCE.md')
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'Commits.ps1')
. (Join-Path $PSScriptRoot 'CommitLog.Report.ps1')
. (Join-Path $PSScriptRoot 'Document.ps1')

$engine = Get-Content -Raw -LiteralPath $EngineResults | ConvertFrom-Json
if (-not $engine.PSObject.Properties['Log'] -or -not $engine.Log) { throw "$EngineResults holds no commit log figures: run tests/ClusterState.Benchmarks --log first." }
$log = @($engine.Log)
$when = '{0:yyyy-MM-dd HH:mm} UTC' -f (Get-Item -LiteralPath $EngineResults).LastWriteTimeUtc

$md = [System.Text.StringBuilder]::new()
Write-CommitLogSection $log "this section measured $when"
$goals = @(Get-CommitLogGoal $log)
Update-PerformanceSection -Path $OutFile -Heading '## Commit log' -Section $md.ToString() -Goals $goals -Before '## Remote: the state over Arrow Flight (issue 8)'
Write-Host "Rewrote the Commit log section and $($goals.Count) goal rows of $OutFile"
foreach ($g in $goals) { Write-Host (Format-GoalRow $g) }
