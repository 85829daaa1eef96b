#!/usr/bin/env pwsh
<#
.SYNOPSIS
    The same cases timed with two builds of the module — a baseline revision and this working
    tree — in alternating fresh pwsh processes on one state, so a refactoring's cost (or a
    speed-up) is a ratio measured in one run, not a comparison with figures of another day.
.DESCRIPTION
    Run through `build.ps1 BenchRevision -Baseline <rev>`, which builds both modules. Cases: a
    warm open (Get-ClusterMetadata: metadata, stat, cached mapping, counts), the status scan
    (Find-ClusterTask -Status pending, counted), a filtered id lookup, and a single-task commit
    (Set-ClusterTask -MemoryMB). Each process measures every case (one warm-up, then -Runs
    timed runs); the rounds alternate which module goes first. Prints one table of medians and
    the ratio current / baseline, and saves it as JSON beside the state.
#>
param(
    [Parameter(Mandatory)][string] $BaselineModule,
    [Parameter(Mandatory)][string] $CurrentModule,
    [string] $BaselineName = 'baseline',
    [string] $StatePath = (Join-Path $PSScriptRoot '../../out/bench-revision/state'),
    [int] $Rounds = 3,
    [int] $Runs = 9,
    [int] $TaskCount = 200000
)
$ErrorActionPreference = 'Stop'

if (-not (Test-Path (Join-Path $StatePath 'state_metadata.json'))) {
    # The state is made by the baseline: both builds read what an older writer wrote.
    & ([Environment]::ProcessPath) (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -Command @"
Import-Module '$BaselineModule'
New-ClusterState -Path '$StatePath' -NodeCount 1000 -TaskCount $TaskCount -ContentCount $([int]($TaskCount / 2)) -Seed 14 -Force | Out-Null
"@
    if ($LASTEXITCODE -ne 0) { throw "Making the state failed." }
}

$measure = Join-Path $PSScriptRoot 'Measure.ps1'
$child = @'
param($Module, $State, $Runs, $MeasureScript)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Import-Module $Module
. $MeasureScript
$id = (Get-ClusterTask -StatePath $State | Select-Object -First 1).Id
$memory = 100
@(
    Measure-Case 'Warm open (Get-ClusterMetadata)' { Get-ClusterMetadata -StatePath $State } $Runs
    Measure-Case 'Status scan (Find-ClusterTask -Status pending, counted)' { (Find-ClusterTask -StatePath $State -Status pending | Measure-Object).Count } $Runs
    Measure-Case 'Id lookup (Get-ClusterTask -Id)' { Get-ClusterTask -StatePath $State -Id $id } $Runs
    Measure-Case 'Single-task commit (Set-ClusterTask -MemoryMB)' { Set-ClusterTask -StatePath $State -Id $id -MemoryMB ($script:memory++) } $Runs
) | ConvertTo-Json -Compress
'@
$childFile = Join-Path ([IO.Path]::GetTempPath()) "clusterstate-revision-bench-$([guid]::NewGuid().ToString('N')).ps1"
Set-Content -Path $childFile -Value $child
try {
    $samples = [Collections.Generic.List[object]]::new()
    foreach ($round in 1..$Rounds) {
        $order = if ($round % 2) { @('baseline', 'current') } else { @('current', 'baseline') }
        foreach ($which in $order) {
            $module = if ($which -eq 'baseline') { $BaselineModule } else { $CurrentModule }
            $json = & ([Environment]::ProcessPath) (Join-Path $PSHOME 'pwsh.dll') -NoProfile -NonInteractive -File $childFile `
                -Module $module -State $StatePath -Runs $Runs -MeasureScript $measure
            if ($LASTEXITCODE -ne 0) { throw "The $which run failed." }
            foreach ($case in ($json | ConvertFrom-Json)) { $samples.Add([pscustomobject]@{ Which = $which; Name = $case.Name; MedianMs = $case.MedianMs }) }
        }
    }
}
finally { Remove-Item $childFile -ErrorAction SilentlyContinue }

function Get-Median([double[]] $values) { $s = @($values | Sort-Object); $s[[int][math]::Floor(($s.Count - 1) / 2)] }
$table = foreach ($name in ($samples.Name | Select-Object -Unique)) {
    $b = Get-Median ($samples | Where-Object { $_.Name -eq $name -and $_.Which -eq 'baseline' }).MedianMs
    $c = Get-Median ($samples | Where-Object { $_.Name -eq $name -and $_.Which -eq 'current' }).MedianMs
    [pscustomobject]@{ Case = $name; "$BaselineName ms" = [math]::Round($b, 2); 'current ms' = [math]::Round($c, 2); 'current / baseline' = [math]::Round($c / $b, 2) }
}
$meta = [pscustomobject]@{
    Date = [DateTime]::UtcNow.ToString('yyyy-MM-dd HH:mm'); Machine = "$([Environment]::ProcessorCount) cores, $([Runtime.InteropServices.RuntimeInformation]::OSDescription)"
    Baseline = $BaselineName; Rounds = $Rounds; Runs = $Runs; Tasks = $TaskCount
}
[pscustomobject]@{ Meta = $meta; Table = $table } | ConvertTo-Json -Depth 4 | Set-Content (Join-Path (Split-Path $StatePath) 'revision.json')
"Medians of $Rounds alternating rounds x $Runs runs, $TaskCount tasks, $($meta.Date) UTC, $($meta.Machine):"
$table | Format-Table -AutoSize | Out-String -Width 200
