#!/usr/bin/env pwsh
# Runs the Pester suites in this (fresh) pwsh against the built module and writes a summary
# for build.ps1. Pester comes from NuGet: build.ps1 restores it and passes its path.
param(
    [Parameter(Mandatory)][string] $SummaryPath,
    [string] $PesterPath = $env:CLUSTERSTATE_PESTER
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -Force
$data = & (Join-Path $PSScriptRoot '../Pester.config.ps1')
$config = New-PesterConfiguration -Hashtable $data
$result = Invoke-Pester -Configuration $config
[pscustomobject]@{
    Total           = $result.TotalCount
    Passed          = $result.PassedCount
    Failed          = $result.FailedCount
    Skipped         = $result.SkippedCount
    ContainerFailed = $result.FailedContainersCount
} | ConvertTo-Json | Set-Content -Path $SummaryPath
exit $(if ($result.FailedCount -gt 0 -or $result.FailedContainersCount -gt 0) { 1 } else { 0 })
