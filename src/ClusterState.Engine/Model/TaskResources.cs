namespace ClusterState;

/// <summary>The <c>resources</c> struct of a task (requirements).</summary>
public sealed class TaskResources
{
    /// <summary>CPU cores required.</summary>
    public int? CpuCores { get; set; }
    /// <summary>GPU cores required.</summary>
    public int? GpuCores { get; set; }
    /// <summary>Memory required in MiB.</summary>
    public int? MemoryMB { get; set; }

    /// <inheritdoc />
    public override string ToString() => $"cpu {CpuCores}, gpu {GpuCores}, {MemoryMB} MiB";
}
