using System;
using System.Management.Automation;

namespace ClusterState.PowerShell;

/// <summary>One Write-Progress bar: percent and "done of total" from the engine's callbacks, completed on dispose.</summary>
public sealed class ProgressReporter : IDisposable
{
    private readonly Cmdlet _cmdlet;
    private readonly ProgressRecord _record;
    private bool _shown;

    internal ProgressReporter(Cmdlet cmdlet, int activityId, string activity, string status)
    {
        _cmdlet = cmdlet;
        _record = new ProgressRecord(activityId, activity, status);
    }

    /// <summary>Shows <paramref name="done"/> of <paramref name="total"/> <paramref name="unit"/>.</summary>
    public void Report(long done, long total, string unit) =>
        Report((int)Math.Clamp(done * 100 / Math.Max(1, total), 0, 100), $"{done:N0} of {total:N0} {unit}");

    /// <summary>Shows <paramref name="percent"/> with its own status text, for work whose steps are not counted in one unit.</summary>
    public void Report(int percent, string status)
    {
        _record.PercentComplete = Math.Clamp(percent, 0, 100);
        _record.StatusDescription = status;
        _cmdlet.WriteProgress(_record);
        _shown = true;
    }

    /// <summary>Completes the bar if it was shown.</summary>
    public void Dispose()
    {
        if (!_shown) return;
        _record.RecordType = ProgressRecordType.Completed;
        _cmdlet.WriteProgress(_record);
    }
}
