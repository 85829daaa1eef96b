using System.Management.Automation;

namespace ClusterState.PowerShell;

/// <summary>
/// -StatePath's validation: an empty string is refused, as ValidateNotNullOrEmpty does, but null
/// is let through — -StatePath binds the StatePath of piped objects, and an object made by hand
/// has none (it then joins the pipeline's state, or the default).
/// </summary>
public sealed class ValidateStatePathAttribute : ValidateArgumentsAttribute
{
    /// <inheritdoc />
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        if (arguments is string { Length: 0 })
            throw new ValidationMetadataException("The argument is an empty string. Give a state directory or a grpc:// URI, or leave -StatePath out.");
    }
}
