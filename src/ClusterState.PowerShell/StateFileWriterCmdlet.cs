using System.Management.Automation;

namespace ClusterState.PowerShell;

/// <summary>
/// Base of the cmdlets that write a file from a state (Export-ClusterState, Export-ClusterMetric,
/// Export-ClusterReport): the state to read and -PassThru.
/// </summary>
public abstract class StateFileWriterCmdlet : StateCmdlet
{
    /// <summary><para type="description">The state directory to read (default: the session default and the usual locations).</para></summary>
    // -Path is the file written, so no -Path alias; objects that carry a StatePath (Get-ClusterMetadata) bind by property name.
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateStatePath]
    public override string? StatePath { get => BoundStatePath; set => BoundStatePath = value; }

    /// <summary><para type="description">Emit the written file (or files).</para></summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Emits the written files when -PassThru is given.</summary>
    protected void WritePassThru(params string[] files)
    {
        if (!PassThru) return;
        foreach (var file in files) WriteObject(InvokeProvider.Item.Get(file), enumerateCollection: true);
    }
}
