namespace ClusterState;

/// <summary>An object read or computed from a state, which remembers where that state is (cmdlets bind it to -StatePath).</summary>
internal interface IFromState
{
    /// <summary>The state's directory or server URI.</summary>
    string? StatePath { set; }
}
