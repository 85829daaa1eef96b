using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;

namespace ClusterState.PowerShell;

/// <summary>
/// Base of the cmdlets that work on one existing state named by <c>-StatePath</c>: the one
/// declaration of that parameter, with the alias <c>-Path</c> (SPEC.md §2), and the snapshot it
/// names. PowerShell takes a parameter's attributes from the most derived declaration only, so a
/// cmdlet whose <c>-StatePath</c> must differ (another -Path, a position) overrides the property
/// (its accessors calling these) and states its attributes in full; tests/Module.Tests.ps1 pins
/// the resulting metadata of every cmdlet.
/// </summary>
/// <remarks>
/// -StatePath binds by property name: rows, content map entries, metadata and changes carry the
/// state they were read from (<c>StatePath</c>), so <c>Find-ClusterTask -StatePath $p | Set-ClusterTask</c>
/// acts on <c>$p</c> without a session default. A value given on the command line wins (PowerShell
/// does not rebind it from the pipeline). A pipeline whose objects come from two states is
/// refused (MixedStates) when the second one arrives, as a terminating error: the writing
/// cmdlets commit at the end, so nothing is written.
/// </remarks>
public abstract class StateCmdlet : ClusterStateCmdlet
{
    private string? _statePath;
    private readonly List<string> _states = new(1);
    private bool? _pipedObjectsBindOnlyTheirState;

    /// <summary>
    /// <para type="description">The state directory (or its state_metadata.json), or the grpc:// URI of a ClusterState server. Defaults to the state the piped objects were read from, then the session default set by Connect-ClusterState, then $env:CLUSTERSTATE_PATH, then ~/.ipfs/cluster_state, ~/.ipfs_cluster_state and /var/lib/ipfs/cluster_state.</para>
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Path")]
    [ValidateStatePath]
    public virtual string? StatePath
    {
        get => BoundStatePath;
        set => BoundStatePath = value;
    }

    /// <summary>
    /// What -StatePath holds: the value bound last, or, when the current piped object has no
    /// state (made by hand), the first one the pipeline carried. Every value bound is kept, to
    /// find a pipeline that mixes states.
    /// </summary>
    protected string? BoundStatePath
    {
        get => _statePath ?? (_states.Count > 0 ? _states[0] : null);
        set
        {
            _statePath = value;
            if (value is not null && !_states.Contains(value, StringComparer.Ordinal)) _states.Add(value);
        }
    }

    /// <inheritdoc />
    protected override void CheckInput()
    {
        // The parameter set is fixed once the command runs: asked once, not for every piped object.
        if (_states.Count > 0 && MyInvocation.ExpectingInput && (_pipedObjectsBindOnlyTheirState ??= PipedObjectsBindOnlyTheirState()))
            throw new ClusterStateException(ErrorIds.InvalidArgument, ClusterStateErrorKind.InvalidArgument,
                $"The objects piped into {MyInvocation.MyCommand.Name} bind no parameter of the parameters given ({ParameterSetName}); they would only name the state, and be ignored otherwise. Pipe them without those parameters, or give the ids instead of piping.", ParameterSetName);
        if (_states.Count < 2) return;
        var distinct = _states.Select(s => (Given: s, Key: Key(s))).DistinctBy(s => s.Key, StringComparer.Ordinal).Take(2).ToArray();
        if (distinct.Length < 2) return;
        throw new ClusterStateException(ErrorIds.MixedStates, ClusterStateErrorKind.InvalidArgument,
            $"The objects piped into {MyInvocation.MyCommand.Name} come from two states, '{distinct[0].Given}' and '{distinct[1].Given}'; one command acts on one state, and nothing was done. Pipe the objects of each state into a command of its own.", distinct[1].Given);
    }

    /// <summary>
    /// True when the command takes pipeline input in another parameter set but not in the one
    /// chosen (Set-ClusterTask -LiteralId): piped rows then bind only -StatePath, and the command
    /// would quietly act on the ids given for each of them. Before StatePath bound by property
    /// name, PowerShell refused such input itself. A command without any pipeline parameter
    /// (Get-ClusterStatus) takes piped objects as a way to name the state.
    /// </summary>
    private bool PipedObjectsBindOnlyTheirState()
    {
        static bool Piped(CommandParameterInfo p) => p.Name != nameof(StatePath) && (p.ValueFromPipeline || p.ValueFromPipelineByPropertyName);
        var sets = MyInvocation.MyCommand.ParameterSets;
        if (!sets.Any(s => s.Parameters.Any(Piped))) return false;
        var current = sets.FirstOrDefault(s => s.Name == ParameterSetName);
        return current is not null && !current.Parameters.Any(Piped);
    }

    /// <summary>A state's location as one string: a server URI as given, a directory as a full path (its state_metadata.json meaning the directory).</summary>
    private string Key(string location)
    {
        if (StateSource.IsRemoteLocation(location)) return location.TrimEnd('/');
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(ResolveUserPath(location)));
        return string.Equals(Path.GetFileName(full), StateMetadata.FileName, StringComparison.Ordinal) ? Path.GetDirectoryName(full) ?? full : full;
    }

    /// <summary>The snapshot of <see cref="StatePath"/>, opened once per command.</summary>
    protected ClusterSnapshot Snapshot => OpenSnapshot(StatePath);
}
