# The module as a product: manifest, help with runnable examples, format views.
BeforeAll {
    . $PSScriptRoot/Common.ps1
    $script:Module = Get-Module ClusterState
    $script:Cmdlets = Get-Command -Module ClusterState -CommandType Cmdlet
}

Describe 'Module manifest' {
    It 'is stamped with the version of src/Directory.Build.props' {
        $props = [xml](Get-Content -Raw (Join-Path $PSScriptRoot '../src/Directory.Build.props'))
        $Module.Version | Should -Be ([version]$props.Project.PropertyGroup.Version)
    }

    It 'exports exactly the cmdlets it declares, all of them binary' {
        $manifest = Import-PowerShellDataFile $env:CLUSTERSTATE_MODULE
        ($Cmdlets.Name | Sort-Object) | Should -Be ($manifest.CmdletsToExport | Sort-Object)
        $Cmdlets | ForEach-Object { $_.ImplementingType.Assembly.GetName().Name | Should -Be 'ClusterState.PowerShell' }
    }

    It 'declares output types for every cmdlet but the two that emit nothing' {
        $Cmdlets | Where-Object Name -notin 'Disconnect-ClusterState', 'Stop-ClusterStateServer' | ForEach-Object { $_.OutputType | Should -Not -BeNullOrEmpty -Because $_.Name }
    }
}

Describe '-StatePath metadata' {
    # -StatePath is declared once (StateCmdlet) and overridden where a cmdlet needs a difference:
    # this pins what users see, so a change to the base or an override cannot drift unnoticed.
    BeforeAll {
        function Get-StatePathShape([System.Management.Automation.CommandInfo] $Command) {
            $p = $Command.Parameters['StatePath']
            if (-not $p) { return $null }
            $a = @($p.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] })
            if ($a.Count -gt 1) {
                # Declared per parameter set (Find-ClusterTask binds it from piped nodes only): each set's binding.
                return 'per set: ' + (($a | Sort-Object ParameterSetName | ForEach-Object { '{0} byPropertyName={1}' -f $_.ParameterSetName, $_.ValueFromPipelineByPropertyName }) -join '; ')
            }
            # -StatePath refuses '' (ValidateStatePath lets the null of a hand-made piped object through; Import-ClusterState's is mandatory).
            $validates = @($p.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateNotNullOrEmptyAttribute] -or $_.GetType().Name -eq 'ValidateStatePathAttribute' }).Count
            '{0} alias=[{1}] position={2} mandatory={3} byPropertyName={4} byValue={5} set={6} notEmpty={7}' -f $p.ParameterType.Name,
                ($p.Aliases -join ','), $(if ($a[0].Position -lt 0) { 'named' } else { $a[0].Position }), $a[0].Mandatory,
                $a[0].ValueFromPipelineByPropertyName, $a[0].ValueFromPipeline, $a[0].ParameterSetName, ($validates -eq 1)
        }
    }

    It 'is the same as before the one declaration, for every cmdlet' {
        # Every cmdlet binds -StatePath from the objects it is piped (they carry the state they came from).
        $common = 'String alias=[Path] position=named mandatory=False byPropertyName=True byValue=False set=__AllParameterSets notEmpty=True'
        $piped = 'String alias=[] position=named mandatory=False byPropertyName=True byValue=False set=__AllParameterSets notEmpty=True'
        $expected = [ordered]@{
            'Export-ClusterMetric'      = $piped
            'Export-ClusterReport'      = $piped
            'Export-ClusterState'       = $piped
            'Restore-ClusterState'      = $piped
            'Import-ClusterState'       = 'String alias=[] position=1 mandatory=True byPropertyName=False byValue=False set=__AllParameterSets notEmpty=True'
            'Update-ClusterStateSchema' = 'String alias=[Path] position=0 mandatory=False byPropertyName=True byValue=False set=__AllParameterSets notEmpty=True'
            'Find-ClusterTask'          = 'per set: Filter byPropertyName=False; Node byPropertyName=True'
            'Optimize-ClusterState'     = 'String alias=[Path] position=0 mandatory=False byPropertyName=True byValue=False set=__AllParameterSets notEmpty=True'
        }
        foreach ($name in 'Add-ClusterContent', 'Add-ClusterNode', 'Add-ClusterTask', 'Find-ClusterNodeForTask',
            'Get-ClusterContent', 'Get-ClusterContentMap', 'Get-ClusterMetadata', 'Get-ClusterMetric', 'Get-ClusterNode',
            'Get-ClusterNodeUtilization', 'Get-ClusterState', 'Get-ClusterStateCheckpoint', 'Get-ClusterStatus', 'Get-ClusterTask',
            'Get-ClusterTaskEstimate', 'Get-ClusterTaskMetric', 'Get-ClusterTopology', 'Invoke-ClusterTaskPlacement',
            'Remove-ClusterContent', 'Remove-ClusterNode', 'Remove-ClusterTask', 'Save-ClusterStateCheckpoint', 'Set-ClusterContent',
            'Set-ClusterNode', 'Set-ClusterStateCheckpointPolicy', 'Set-ClusterTask', 'Start-ClusterStateServer', 'Wait-ClusterTask',
            'Watch-ClusterState') { $expected[$name] = $common }

        $actual = [ordered]@{}
        foreach ($command in $Cmdlets | Sort-Object Name) {
            $shape = Get-StatePathShape $command
            if ($shape) { $actual[$command.Name] = $shape }
        }
        ($actual.Keys | Sort-Object) | Should -Be ($expected.Keys | Sort-Object) -Because 'these cmdlets take -StatePath'
        foreach ($name in $expected.Keys) { $actual[$name] | Should -Be $expected[$name] -Because $name }
    }

    It 'has the -Path alias only where the cmdlet has no other -Path' {
        foreach ($command in $Cmdlets | Where-Object { $_.Parameters.ContainsKey('StatePath') }) {
            $other = $command.Parameters.Values | Where-Object { $_.Name -ne 'StatePath' -and ($_.Name -eq 'Path' -or $_.Aliases -contains 'Path') }
            ($command.Parameters['StatePath'].Aliases -contains 'Path') | Should -Be (-not $other) -Because $command.Name
        }
    }
}

Describe 'Help' {
    It '<Name> has a synopsis, a description, described parameters and at least two examples' -ForEach @(
        Get-Command -Module ClusterState -CommandType Cmdlet | ForEach-Object { @{ Name = $_.Name } }
    ) {
        $help = Get-Help $Name -Full
        $help.Synopsis | Should -Not -BeLike "*$Name*[<]CommonParameters[>]*"
        $help.Synopsis.Length | Should -BeGreaterThan 20
        $help.description.Text | Should -Not -BeNullOrEmpty
        @($help.examples.example).Count | Should -BeGreaterOrEqual 2
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        foreach ($p in (Get-Command $Name).Parameters.Values | Where-Object Name -notin $common) {
            $described = $help.parameters.parameter | Where-Object name -eq $p.Name
            $described.description.Text | Should -Not -BeNullOrEmpty -Because "-$($p.Name) of $Name needs a description"
        }
    }

    It 'every example runs without error on a sample state' {
        $work = Join-Path $TestDrive 'examples'
        New-Item -ItemType Directory $work | Out-Null
        New-TestState -Path (Join-Path $work 'connected') -NodeCount 40 -TaskCount 2000 -ContentCount 300 | Out-Null
        Push-Location $work
        try {
            foreach ($c in $Cmdlets) {
                foreach ($example in (Get-Help $c.Name -Full).examples.example) {
                    Connect-ClusterState -Path (Join-Path $work 'connected')
                    $code = $example.code
                    $errorsBefore = $Error.Count
                    { $null = & ([scriptblock]::Create($code)) } | Should -Not -Throw -Because "$($c.Name): $code"
                    $Error.Count | Should -Be $errorsBefore -Because "$($c.Name) example wrote errors: $code"
                }
            }
        }
        finally { Pop-Location; Disconnect-ClusterState }
    }
}

Describe 'Format views' {
    It 'the first view of <Type> is a table (Out-ConsoleGridView takes its columns from it)' -ForEach @(
        'ClusterNode', 'ClusterTask', 'ClusterContent', 'ContentMapEntry', 'ClusterMetadata', 'ClusterStatus', 'ClusterSnapshot' | ForEach-Object { @{ Type = "ClusterState.$_" } }
    ) {
        $views = (Get-FormatData -TypeName $Type).FormatViewDefinition
        $views | Should -Not -BeNullOrEmpty
        $views[0].Control | Should -BeOfType ([System.Management.Automation.TableControl])
    }

    It 'renders nodes and tasks as tables with their key columns' {
        $path = Join-Path $TestDrive 'fmt'
        New-TestState -Path $path -NodeCount 5 -TaskCount 10 -ContentCount 5 | Out-Null
        $nodeTable = Get-ClusterNode -StatePath $path | Out-String -Width 250
        $nodeTable | Should -Match 'Id\s+Role\s+Status\s+Cpu\s+Load%'
        $taskTable = Get-ClusterTask -StatePath $path | Out-String -Width 250
        $taskTable | Should -Match 'Id\s+Type\s+Status\s+AssignedTo'
    }

    It 'adds TaskId and NodeId aliases for pipeline binding by property name' {
        $path = Join-Path $TestDrive 'alias'
        New-TestState -Path $path -NodeCount 3 -TaskCount 3 -ContentCount 1 | Out-Null
        $task = Get-ClusterTask -StatePath $path | Select-Object -First 1
        $task.TaskId | Should -Be $task.Id
        $node = Get-ClusterNode -StatePath $path | Select-Object -First 1
        $node.NodeId | Should -Be $node.Id
        # Objects selected in a grid come back as the same objects: they bind by value again.
        ($task | Get-ClusterTask -StatePath $path).Id | Should -Be $task.Id
    }
}

Describe 'about_ClusterState' {
    It 'explains the state directory, the session default and the object model' {
        $about = Get-Help about_ClusterState | Out-String
        $about | Should -Match 'state_metadata\.json'
        $about | Should -Match 'Connect-ClusterState'
        $about | Should -Match 'ClusterNode'
    }
}
