# The module as admins get it: the nupkg of `build.ps1 Package` (build.ps1 Test makes it for this
# machine's platform and names it in CLUSTERSTATE_PACKAGE) is published to a local PSResource
# repository, installed by name into a temporary user's module path, and imported by name in
# fresh pwsh processes -- one of them on a .NET that holds only Microsoft.NETCore.App (no ASP.NET
# Core shared framework, no SDK), as pwsh from a package manager, an MSI or a container image has.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    $script:Package = $env:CLUSTERSTATE_PACKAGE
    if (-not $Package -or -not (Test-Path $Package)) { throw "CLUSTERSTATE_PACKAGE names no package ('$Package'): build.ps1 Test makes it with the Package task." }
    $script:Version = ([xml](Get-Content -Raw (Join-Path $PSScriptRoot '../src/Directory.Build.props'))).Project.PropertyGroup.Version
    $script:Changelog = Get-Content -Raw (Join-Path $PSScriptRoot '../docs/CHANGELOG.md')
    # The folder the module looks in for its server; build.ps1 names the one it packs the same way
    # (Get-PlatformRuntimeIdentifier), and the tests below fail if the two drift apart.
    $script:Rid = [ClusterState.ServerHost]::PlatformRuntimeIdentifier()

    # A user of its own: PSResourceGet keeps its repositories and CurrentUser modules under HOME, and
    # pwsh builds PSModulePath afresh when the variable is absent.
    $script:UserHome = Join-Path $TestDrive 'home'
    $script:Repository = Join-Path $TestDrive 'repository'
    New-Item -ItemType Directory $UserHome, $Repository | Out-Null
    $script:UserEnvironment = @{ HOME = $UserHome; PSModulePath = $null; XDG_DATA_HOME = $null; XDG_CONFIG_HOME = $null; XDG_CACHE_HOME = $null; CLUSTERSTATE_MODULE = $null }

    # Publish-PSResource (NuGet underneath) leaves a NuGet/NuGet.Config in its current directory.
    $install = Invoke-ChildPwsh -TimeoutSeconds 300 -Environment $UserEnvironment -WorkingDirectory $TestDrive -Script @"
`$ErrorActionPreference = 'Stop'
`$ProgressPreference = 'SilentlyContinue'
Register-PSResourceRepository -Name ClusterStateTest -Uri '$Repository' -Trusted
Publish-PSResource -NupkgPath '$Package' -Repository ClusterStateTest
`$found = Find-PSResource -Name ClusterState -Repository ClusterStateTest
Install-PSResource -Name ClusterState -Repository ClusterStateTest -Scope CurrentUser -TrustRepository -Quiet
`$module = Get-Module -ListAvailable ClusterState
[pscustomobject]@{
    FoundVersion = `$found.Version.ToString(); FoundTags = @(`$found.Tags); FoundReleaseNotes = `$found.ReleaseNotes
    Count = @(`$module).Count; ModuleBase = `$module.ModuleBase; Path = `$module.Path
} | ConvertTo-Json -Compress
"@
    if ($install.ExitCode -ne 0) { throw "Installing the package failed ($($install.ExitCode)): $($install.Output -join "`n") $($install.Error)" }
    $script:Installed = $install.Output[-1] | ConvertFrom-Json
}

Describe 'The package, published to a local repository and installed by name' {
    It 'is found in the repository with the version, tags and release notes of the manifest' {
        $Installed.FoundVersion | Should -Be $Version
        $Installed.FoundTags | Should -Contain 'Arrow'
        $Installed.FoundTags | Should -Contain 'IPFS'
        $Installed.FoundReleaseNotes | Should -Not -BeNullOrEmpty
    }

    It 'installs into the user''s module path, one version, under that version''s folder' {
        $Installed.Count | Should -Be 1
        $Installed.ModuleBase | Should -BeLike "$UserHome*"
        Split-Path -Leaf $Installed.ModuleBase | Should -Be $Version
    }

    It 'has a complete manifest that Test-ModuleManifest accepts' {
        $m = Test-ModuleManifest -Path $Installed.Path -ErrorAction Stop
        $m.Version.ToString() | Should -Be $Version
        $m.PowerShellVersion | Should -Not -BeNullOrEmpty
        $m.CompatiblePSEditions | Should -Contain 'Core'
        $m.ExportedCmdlets.Keys | Should -Contain 'Start-ClusterStateServer'
        $data = $m.PrivateData.PSData
        $data.LicenseUri | Should -Match '^https://'
        @($data.Tags) | Should -Contain 'ApacheArrow'
        # The release notes are this version's section of docs/CHANGELOG.md, word for word.
        $data.ReleaseNotes.Length | Should -BeGreaterThan 200
        $Changelog | Should -Match "(?m)^## $([regex]::Escape($Version))\b"
        $Changelog.Replace("`r`n", "`n").Contains($data.ReleaseNotes.Replace("`r`n", "`n")) | Should -BeTrue
    }

    It 'holds the module, its help, LICENSE, CHANGELOG and the server for this platform, and no test or build files' {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [IO.Compression.ZipFile]::OpenRead($Package)
        try { $entries = @($zip.Entries.FullName | ForEach-Object { [Uri]::UnescapeDataString($_) }) }
        finally { $zip.Dispose() }
        foreach ($file in 'ClusterState.psd1', 'ClusterState.PowerShell.dll', 'en-US/ClusterState.PowerShell.dll-Help.xml', 'LICENSE', 'CHANGELOG.md',
            "server/$Rid/ClusterState.Server", 'server/ClusterState.Server.dll') {
            $entries | Should -Contain ($file -replace '^(server/win-[^/]+/ClusterState\.Server)$', '$1.exe')
        }
        $entries | Where-Object { $_ -match '(^|/)(tests?|obj|bin)/|\.Tests\.ps1$|^build\.ps1$|^Pester\.config\.ps1$|^\.ci/|\.pdb$|web\.config$' } | Should -BeNullOrEmpty
        Get-Content -Raw (Join-Path $Installed.ModuleBase 'LICENSE') | Should -Match 'Apache License\s+Version 2\.0'
    }
}

BeforeDiscovery {
    # The runtime-only .NET is cut from the one pwsh runs on as a dotnet tool (as build.ps1 and CI
    # run it); the server's process is inspected through /proc.
    $script:RuntimeOnlyPossible = $IsLinux -and (Split-Path -Leaf ([Environment]::ProcessPath)) -eq 'dotnet'
}

Describe 'The installed module on a .NET without the ASP.NET Core shared framework' {
    BeforeAll {
        # pwsh runs as a dotnet tool here: its muxer's folder is an SDK install with both frameworks.
        # The runtime-only folder gets the muxer, host/fxr and Microsoft.NETCore.App, nothing more.
        $script:DotnetRoot = Split-Path -Parent ([Environment]::ProcessPath)
        if (-not ($IsLinux -and (Split-Path -Leaf ([Environment]::ProcessPath)) -eq 'dotnet')) { return }
        $script:Runtime = Join-Path $TestDrive 'dotnet'
        New-Item -ItemType Directory (Join-Path $Runtime 'shared') | Out-Null
        Copy-Item ([Environment]::ProcessPath) $Runtime
        Copy-Item -Recurse (Join-Path $DotnetRoot 'host') $Runtime
        Copy-Item -Recurse (Join-Path $DotnetRoot 'shared/Microsoft.NETCore.App') (Join-Path $Runtime 'shared')
        $muxer = Join-Path $Runtime (Split-Path -Leaf ([Environment]::ProcessPath))
        $environment = $UserEnvironment.Clone()
        # No other dotnet to fall back on: PATH holds only this runtime, and no variable points elsewhere.
        $environment += @{ PATH = $Runtime; DOTNET_ROOT = $Runtime; DOTNET_HOST_PATH = $null; DOTNET_ROOT_X64 = $null; DOTNET_ROOT_ARM64 = $null; CLUSTERSTATE_SERVER_TOKEN = $null }
        $state = Join-Path $TestDrive 'state'
        $run = Invoke-ChildPwsh -TimeoutSeconds 300 -DotnetHost $muxer -Environment $environment -WorkingDirectory $TestDrive -Script @"
`$ErrorActionPreference = 'Stop'
`$ProgressPreference = 'SilentlyContinue'
Import-Module ClusterState
`$module = Get-Module ClusterState
# The framework-dependent server beside the platform's one cannot start here: proof that this runtime lacks ASP.NET Core.
`$fdd = & '$muxer' (Join-Path `$module.ModuleBase 'server/ClusterState.Server.dll') --help 2>&1 | Out-String
New-ClusterState -Path '$state' -ClusterId packaged -NodeCount 8 -TaskCount 200 -ContentCount 30 -Seed 5 | Out-Null
`$status = Get-ClusterStatus -StatePath '$state'
`$server = Start-ClusterStateServer -StatePath '$state' -MetricsPort 0 -StopWithSession
try {
    Connect-ClusterState -Server `$server
    `$nodes = @(Get-ClusterNode)
    `$task = Get-ClusterTask | Select-Object -First 1
    Set-ClusterTask -Id `$task.Id -MemoryMB 777 -Confirm:`$false
    `$metrics = (Invoke-WebRequest -Uri `$server.MetricsUri -TimeoutSec 30).Content
    `$exe = (Get-Item "/proc/`$(`$server.ProcessId)/exe").LinkTarget
    `$coreclr = @(Get-Content "/proc/`$(`$server.ProcessId)/maps" | Where-Object { `$_ -match 'libcoreclr' } | ForEach-Object { (`$_ -split '\s+', 6)[5] } | Sort-Object -Unique)
}
finally { Stop-ClusterStateServer -ProcessId `$server.ProcessId -ErrorAction SilentlyContinue }
[pscustomobject]@{
    ModuleBase = `$module.ModuleBase; RuntimeDirectory = [Runtime.InteropServices.RuntimeEnvironment]::GetRuntimeDirectory()
    Frameworks = @(Get-ChildItem '$Runtime/shared' -Name); FrameworkDependent = `$fdd
    ClusterId = (Get-ClusterMetadata -StatePath '$state').ClusterId; StatusNodes = `$status.NodesTotal
    RemoteNodes = `$nodes.Count; TaskId = `$task.Id; MemoryAfter = (Get-ClusterTask -StatePath '$state' -Id `$task.Id).Resources.MemoryMB
    ServerExe = `$exe; CoreClr = `$coreclr; Metrics = `$metrics
} | ConvertTo-Json -Compress
"@
        if ($run.ExitCode -ne 0) { throw "The pwsh on the runtime-only .NET failed ($($run.ExitCode)): $($run.Output -join "`n") $($run.Error)" }
        $script:Result = $run.Output[-1] | ConvertFrom-Json
    }

    It 'imports ClusterState by name and makes and reads a sample there' -Skip:(-not $RuntimeOnlyPossible) {
        $Result.RuntimeDirectory | Should -BeLike "$Runtime*"
        @($Result.Frameworks) | Should -Be @('Microsoft.NETCore.App')
        $Result.FrameworkDependent | Should -Match 'Microsoft\.AspNetCore\.App'
        $Result.ModuleBase | Should -Be $Installed.ModuleBase
        $Result.ClusterId | Should -Be 'packaged'
        $Result.StatusNodes | Should -Be 8
    }

    It 'starts the platform''s self-contained server, which serves reads, a commit and /metrics' -Skip:(-not $RuntimeOnlyPossible) {
        $Result.ServerExe | Should -Be (Join-Path $Installed.ModuleBase "server/$Rid/ClusterState.Server")
        # Its runtime is the one it carries, not any installed .NET.
        @($Result.CoreClr) | Should -Be @(Join-Path $Installed.ModuleBase "server/$Rid/libcoreclr.so")
        $Result.RemoteNodes | Should -Be 8
        $Result.MemoryAfter | Should -Be 777
        $Result.Metrics | Should -Match '(?m)^clusterstate_tasks\{'
    }
}
