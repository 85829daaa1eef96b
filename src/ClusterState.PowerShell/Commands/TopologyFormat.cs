namespace ClusterState.PowerShell.Commands;

/// <summary>The forms Get-ClusterTopology returns.</summary>
public enum TopologyFormat
{
    /// <summary>A ClusterTopology object with Nodes and Connections (the SPEC's -As Object).</summary>
#pragma warning disable CA1720 // the value's name is the public parameter value
    Object,
#pragma warning restore CA1720
    /// <summary>Graphviz DOT text.</summary>
    Dot,
    /// <summary>Mermaid flowchart text.</summary>
    Mermaid,
}
