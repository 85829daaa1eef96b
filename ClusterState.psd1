# Source manifest of the ClusterState module. build.ps1 copies it into out/ClusterState/ and
# stamps ModuleVersion from src/Directory.Build.props (the one place the version lives),
# ReleaseNotes from docs/CHANGELOG.md and ProjectUri from git (Write-ModuleManifest).
@{
    RootModule           = 'ClusterState.PowerShell.dll'
    ModuleVersion        = '0.0.0'
    GUID                 = '5d0f4f1e-8a7c-4b8e-9f57-3c2f1a6b9e21'
    Author               = 'ClusterState contributors'
    CompanyName          = 'ClusterState'
    Copyright            = '(c) ClusterState contributors. Apache-2.0.'
    Description          = 'Manages the live state of a compute/IPFS cluster (nodes, tasks, content) as one Apache Arrow record batch shared between processes by memory-mapping, with binary cmdlets that filter on Arrow columns.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('ClusterState.Format.ps1xml')
    TypesToProcess       = @('ClusterState.Types.ps1xml')
    CmdletsToExport      = @(
        'New-ClusterState'
        'Resolve-ClusterStatePath'
        'Connect-ClusterState'
        'Disconnect-ClusterState'
        'Get-ClusterState'
        'Get-ClusterMetadata'
        'Get-ClusterStatus'
        'Get-ClusterNode'
        'Get-ClusterNodeUtilization'
        'Get-ClusterTask'
        'Find-ClusterTask'
        'Find-ClusterNodeForTask'
        'Get-ClusterTaskMetric'
        'Get-ClusterTaskEstimate'
        'Get-ClusterContent'
        'Get-ClusterContentMap'
        'Get-ClusterTopology'
        'Export-ClusterState'
        'Import-ClusterState'
        'Save-ClusterStateCheckpoint'
        'Set-ClusterStateCheckpointPolicy'
        'Get-ClusterMetric'
        'Export-ClusterMetric'
        'Export-ClusterReport'
        'Start-ClusterStateServer'
        'Stop-ClusterStateServer'
        'Watch-ClusterState'
        'Wait-ClusterTask'
        'Get-ClusterStateCheckpoint'
        'Restore-ClusterState'
        'Add-ClusterNode'
        'Set-ClusterNode'
        'Remove-ClusterNode'
        'Add-ClusterTask'
        'Set-ClusterTask'
        'Remove-ClusterTask'
        'Add-ClusterContent'
        'Set-ClusterContent'
        'Remove-ClusterContent'
        'Invoke-ClusterTaskPlacement'
        'Update-ClusterStateSchema'
        'Optimize-ClusterState'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Arrow', 'ApacheArrow', 'Parquet', 'ArrowFlight', 'IPFS', 'Cluster', 'ClusterState', 'Scheduler', 'State', 'Linux', 'MacOS', 'Windows', 'PSEdition_Core')
            LicenseUri   = 'https://www.apache.org/licenses/LICENSE-2.0'
            # build.ps1 fills these: the section of docs/CHANGELOG.md for this version, and
            # ProjectUri (before LicenseUri) from git's origin remote or -ProjectUri.
            ReleaseNotes = ''
        }
    }
}
