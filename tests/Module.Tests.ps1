BeforeAll {
    Import-Module $env:CLUSTERSTATE_MODULE -Force
}

Describe 'Module' {
    It 'exports the cmdlets of the manifest' {
        $names = (Get-Command -Module ClusterState).Name
        $names | Should -Contain 'Get-ClusterNode'
        $names | Should -Contain 'Find-ClusterTask'
        $names | Should -Contain 'Get-ClusterContentMap'
        $names | Should -Contain 'Export-ClusterState'
    }
}
