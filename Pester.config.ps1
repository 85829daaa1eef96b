# Pester configuration as data: tests/Invoke-PesterRun.ps1 turns this into a PesterConfiguration.
@{
    Run        = @{
        Path     = "$PSScriptRoot/tests"
        Exit     = $false
        PassThru = $true
    }
    Output     = @{
        Verbosity  = 'Detailed'
        RenderMode = 'Plaintext'
    }
    TestResult = @{
        Enabled      = $true
        OutputFormat = 'NUnitXml'
        OutputPath   = "$PSScriptRoot/out/test-results/pester.xml"
    }
    Should     = @{
        ErrorAction = 'Stop'
    }
}
