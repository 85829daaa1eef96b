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
# Suites that declare a -Mode parameter run once in each mode their ValidateSet names (without
# one: Local and Remote): Local on state directories, Remote through a server, Log and RemoteLog
# the same on a state with a long uncompacted commit log. (Remote.Tests.ps1 always uses servers:
# its modes are Local and Log.)
$containers = foreach ($file in Get-ChildItem $data.Run.Path -Filter *.Tests.ps1 -Recurse | Sort-Object FullName) {
    $parameters = (Get-Command $file.FullName).Parameters
    if ($parameters -and $parameters.ContainsKey('Mode')) {
        $set = $parameters['Mode'].Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] }
        foreach ($mode in 'Local', 'Remote', 'Log', 'RemoteLog') {
            if ($(if ($set) { $set.ValidValues -contains $mode } else { $mode -in 'Local', 'Remote' })) { New-PesterContainer -Path $file.FullName -Data @{ Mode = $mode } }
        }
    }
    else { New-PesterContainer -Path $file.FullName }
}
$config.Run.Path = [string[]]@()
$config.Run.Container = [Pester.ContainerInfo[]]@($containers)
$result = Invoke-Pester -Configuration $config
[pscustomobject]@{
    Total           = $result.TotalCount
    Passed          = $result.PassedCount
    Failed          = $result.FailedCount
    Skipped         = $result.SkippedCount
    ContainerFailed = $result.FailedContainersCount
} | ConvertTo-Json | Set-Content -Path $SummaryPath
exit $(if ($result.FailedCount -gt 0 -or $result.FailedContainersCount -gt 0) { 1 } else { 0 })
