# Shared by the bench scripts (dot-source it): one timed case of a whole command in this pwsh.
function Measure-Case([string] $Name, [scriptblock] $Script, [int] $Count, [scriptblock] $Before = {}, [int] $WarmUp = 1) {
    # $WarmUp runs to warm up (JIT, page cache, the snapshot cache), then $Count timed runs, each
    # after $Before (untimed) and a full garbage collection; median, min and max in milliseconds,
    # and the warm-up runs' times (WarmUpMs: what the first runs in a session cost).
    $warmUpTimes = for ($i = 0; $i -lt $WarmUp; $i++) {
        & $Before
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $null = & $Script
        $sw.Elapsed.TotalMilliseconds
    }
    $times = foreach ($i in 1..$Count) {
        & $Before
        [GC]::Collect(); [GC]::WaitForPendingFinalizers()
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $result = & $Script
        $sw.Stop()
        $sw.Elapsed.TotalMilliseconds
    }
    $sorted = @($times | Sort-Object)
    [pscustomobject]@{
        Name     = $Name
        MedianMs = $sorted[[int][math]::Floor(($sorted.Count - 1) / 2)]
        MinMs    = $sorted[0]
        MaxMs    = $sorted[-1]
        Runs     = $Count
        WarmUpMs = @($warmUpTimes)
        Result   = if ($result -is [int] -or $result -is [long]) { $result } else { @($result).Count }
    }
}
