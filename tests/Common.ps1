# Shared setup of the Pester suites: dot-source in BeforeAll.
Import-Module $env:CLUSTERSTATE_MODULE -Force

function New-TestSample {
    # The generator behind a sample state: the "known data" tests compare cmdlet output with.
    param([int] $NodeCount = 60, [int] $TaskCount = 3000, [int] $ContentCount = 800, [int] $Seed = 11)
    $options = [ClusterState.SampleOptions]@{ NodeCount = $NodeCount; TaskCount = $TaskCount; ContentCount = $ContentCount; Seed = $Seed }
    [ClusterState.SampleCluster]::new($options)
}

function New-TestState {
    param([Parameter(Mandatory)][string] $Path, [int] $NodeCount = 60, [int] $TaskCount = 3000, [int] $ContentCount = 800, [int] $Seed = 11)
    New-ClusterState -Path $Path -NodeCount $NodeCount -TaskCount $TaskCount -ContentCount $ContentCount -Seed $Seed -Force | Out-Null
    New-TestSample -NodeCount $NodeCount -TaskCount $TaskCount -ContentCount $ContentCount -Seed $Seed
}

function Invoke-ChildPwsh {
    # Runs a script in a fresh pwsh process (the same PowerShell as this one) with the module
    # path in its environment; returns its output lines and exit code.
    param([Parameter(Mandatory)][string] $Script, [int] $TimeoutSeconds = 120, [string] $StandardInput)
    $file = Join-Path ([IO.Path]::GetTempPath()) ("clusterstate-child-{0}.ps1" -f [guid]::NewGuid().ToString('N'))
    Set-Content -Path $file -Value $Script
    try {
        $pwshDll = Join-Path $PSHOME 'pwsh.dll'
        $psi = [Diagnostics.ProcessStartInfo]::new()
        if (Test-Path $pwshDll) { $psi.FileName = [Environment]::ProcessPath; $psi.ArgumentList.Add($pwshDll) }
        else { $psi.FileName = Join-Path $PSHOME 'pwsh' }
        # With standard input given, the child may prompt (ShouldProcess) and reads the answers from it.
        $flags = if ($PSBoundParameters.ContainsKey('StandardInput')) { @('-NoProfile') } else { @('-NoProfile', '-NonInteractive') }
        foreach ($a in @($flags) + @('-File', $file)) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardInput = $PSBoundParameters.ContainsKey('StandardInput')
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $psi.UseShellExecute = $false
        $process = [Diagnostics.Process]::Start($psi)
        if ($psi.RedirectStandardInput) { $process.StandardInput.Write($StandardInput); $process.StandardInput.Close() }
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit($TimeoutSeconds * 1000)) { $process.Kill($true); throw "The child pwsh did not finish in $TimeoutSeconds s." }
        [pscustomobject]@{
            ExitCode = $process.ExitCode
            Output   = @($stdout.Result -split "`r?`n" | Where-Object { $_ -ne '' })
            Error    = $stderr.Result
        }
    }
    finally { Remove-Item $file -ErrorAction SilentlyContinue }
}

function Start-ChildPwsh {
    # Starts a script in a fresh pwsh process and returns at once (the process, for
    # WaitForExit); its output goes to $OutFile. For tests where this process waits on that one.
    param([Parameter(Mandatory)][string] $Script, [Parameter(Mandatory)][string] $OutFile)
    $file = Join-Path ([IO.Path]::GetTempPath()) ("clusterstate-child-{0}.ps1" -f [guid]::NewGuid().ToString('N'))
    Set-Content -Path $file -Value $Script
    $pwshDll = Join-Path $PSHOME 'pwsh.dll'
    $psi = [Diagnostics.ProcessStartInfo]::new()
    if (Test-Path $pwshDll) { $psi.FileName = [Environment]::ProcessPath; $psi.ArgumentList.Add($pwshDll) }
    else { $psi.FileName = Join-Path $PSHOME 'pwsh' }
    foreach ($a in '-NoProfile', '-NonInteractive', '-Command', "& '$file' *> '$OutFile'") { $psi.ArgumentList.Add($a) }
    $psi.UseShellExecute = $false
    [Diagnostics.Process]::Start($psi)
}

# Local or remote runs of the same suite: a file with param([string] $Mode) is run twice by
# Invoke-PesterRun.ps1, once against the state directories and once against ClusterState servers
# (real server processes on 127.0.0.1) serving those directories.
$script:TestServers = [System.Collections.Generic.List[object]]::new()
if ((Get-Variable Mode -ValueOnly -ErrorAction SilentlyContinue) -eq 'Remote') {
    # Every test server shares one token, so child processes and -StatePath URIs authenticate too.
    $env:CLUSTERSTATE_SERVER_TOKEN = 'pester-' + [guid]::NewGuid().ToString('N')
}

function Get-TestLocation {
    # What tests pass as -StatePath: the directory itself (Local) or the URI of a server for it (Remote).
    param([Parameter(Mandatory)][string] $Path)
    if ((Get-Variable Mode -ValueOnly -ErrorAction SilentlyContinue) -ne 'Remote') { return $Path }
    $server = Start-ClusterStateServer -StatePath $Path -Token $env:CLUSTERSTATE_SERVER_TOKEN
    $script:TestServers.Add($server)
    $server.Uri
}

function Connect-TestState {
    # Connects the session to a state directory (Local) or to a server serving it (Remote); returns the location.
    param([Parameter(Mandatory)][string] $Path)
    $location = Get-TestLocation $Path
    if ($location -eq $Path) { Connect-ClusterState -Path $Path } else { Connect-ClusterState -Uri $location }
    $location
}

function Stop-TestServers {
    foreach ($server in $script:TestServers) { Stop-ClusterStateServer -ProcessId $server.ProcessId -ErrorAction SilentlyContinue }
    $script:TestServers.Clear()
}
