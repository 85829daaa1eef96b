#!/usr/bin/env pwsh
<#
.SYNOPSIS
    `build.ps1 BenchCommit`: only the commit measurements of the bench (tests/Benchmarks/Commits.ps1,
    the same code as the commit part of `build.ps1 Bench`) in one warm pwsh, then the "## Commits"
    section and the commit goal rows of docs/PERFORMANCE.md rewritten in place.
.DESCRIPTION
    Works on copies of the seeded states out/bench/scale-<name> (made by `build.ps1 Bench`; see
    tests/ClusterState.Benchmarks/Scales.cs), so no other benchmark's state changes. The rows are
    saved in out/bench/commits.clixml, merged by scale with the rows saved before, so a later
    `build.ps1 BenchLog` or `BenchRemote` (which regenerate the document from the saved
    measurements) keeps them.

    -Quick measures the tiny and small scales with few runs (a check of the code, not figures):
    its rows go to out/bench/commits-quick.clixml and the document to
    out/bench/PERFORMANCE.quick.md (a copy of docs/PERFORMANCE.md with the section rewritten);
    docs/PERFORMANCE.md and the saved rows stay as they are.
#>
param(
    [string] $ModulePath = $env:CLUSTERSTATE_MODULE,
    [string] $StateRoot = (Join-Path $PSScriptRoot '../../out/bench'),
    [string] $OutFile = (Join-Path $PSScriptRoot '../../docs/PERFORMANCE.md'),
    # Scales to measure (tiny, small, reference, large; comma-separated through pwsh -File).
    # Default: all four, or tiny and small with -Quick.
    [string[]] $Scale,
    [switch] $Quick,
    [int] $Runs = 7,
    [int] $BaselineRuns = 3,
    [int] $LoopRuns = 3,
    [int] $LoopIterations = 1000
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $ModulePath
. (Join-Path $PSScriptRoot 'Measure.ps1')
. (Join-Path $PSScriptRoot 'Commits.ps1')
. (Join-Path $PSScriptRoot 'Document.ps1')

$Scale = @($Scale | ForEach-Object { $_ -split ',' } | ForEach-Object Trim | Where-Object { $_ })
foreach ($s in $Scale) { if ($s -notin $CommitScaleOrder) { throw "Unknown scale '$s': one of $($CommitScaleOrder -join ', ')." } }
if (-not $Scale) { $Scale = if ($Quick) { @('tiny', 'small') } else { $CommitScaleOrder } }
if ($Quick) {
    if (-not $PSBoundParameters.ContainsKey('Runs')) { $Runs = 3 }
    if (-not $PSBoundParameters.ContainsKey('BaselineRuns')) { $BaselineRuns = 1 }
    if (-not $PSBoundParameters.ContainsKey('LoopRuns')) { $LoopRuns = 1 }
}
$saved = Join-Path $StateRoot $(if ($Quick) { 'commits-quick.clixml' } else { 'commits.clixml' })
$document = if ($Quick) { Join-Path $StateRoot 'PERFORMANCE.quick.md' } else { $OutFile }

$clock = [Diagnostics.Stopwatch]::StartNew()
$measured = @(Measure-Commits -StateRoot $StateRoot -Scales $Scale -Runs $Runs -BaselineRuns $BaselineRuns -LoopRuns $LoopRuns -LoopIterations $LoopIterations)
Write-Host ('Measured {0} in {1:N0} s' -f ($Scale -join ', '), $clock.Elapsed.TotalSeconds)
$old = if ($Quick) { @() } else { Import-CommitRows $StateRoot }
$rows = @(Merge-CommitRows $old $measured)
Export-Clixml -InputObject $rows -Path $saved -Depth 6

# The section and the goal rows, formatted as the whole document is (Document.ps1).
$md = [System.Text.StringBuilder]::new()
Write-CommitsSection $rows
$goals = @(Get-CommitsGoal $rows)
if ($Quick) { Copy-Item $OutFile $document -Force }
Update-PerformanceSection -Path $document -Heading '## Commits' -Section $md.ToString() -Goals $goals -Before '## Commit log'
Write-Host "Rewrote the Commits section and $($goals.Count) goal rows of $document"
Write-Host
foreach ($g in $goals) { Write-Host (Format-GoalRow $g) }
Write-Host
Write-Host $md.ToString()
