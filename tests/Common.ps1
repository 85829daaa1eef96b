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
