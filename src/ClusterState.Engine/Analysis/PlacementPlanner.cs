using System;
using System.Text;
using ClusterState.Query;
using ClusterState.Schema;

namespace ClusterState.Analysis;

/// <summary>
/// The placement rule of SPEC.md §3 (find_available_node_for_task) over the node columns. A
/// planner keeps the free memory and GPU count of each node so batch placement can consume
/// them task after task; a single lookup simply never consumes.
/// </summary>
internal sealed class PlacementPlanner
{
    private const int DefaultCpu = 1, DefaultGpu = 0, DefaultMemoryMb = 256;
    private readonly NodeColumns _nodes;
    private readonly long[] _freeMemory;
    private readonly long[] _freeGpus;
    private readonly bool[] _eligible;
    private readonly int[] _order; // node rows in the state's order: ties go to the node listed first

    public PlacementPlanner(ClusterSnapshot snapshot)
    {
        _nodes = snapshot.Nodes;
        int n = _nodes.RowSpace; // indexed by node row
        _freeMemory = new long[n];
        _freeGpus = new long[n];
        _eligible = new bool[n];
        _order = _nodes.Rows.ToArray();
        foreach (int i in _order)
        {
            _eligible[i] = Ascii.EqualsIgnoreCase(_nodes.Role.GetBytes(i), Vocabularies.WorkerUtf8) && Ascii.EqualsIgnoreCase(_nodes.Status.GetBytes(i), Vocabularies.OnlineUtf8)
                && _nodes.HasResources(i);
            _freeMemory[i] = _nodes.MemoryAvailable.Get(i) ?? 0;
            _freeGpus[i] = _nodes.GpuCount.Get(i) ?? 0;
        }
    }

    /// <summary>Requirements of a task with the defaults for missing values (cpu 1, gpu 0, 256 MiB).</summary>
    public static (int Cpu, int Gpu, int MemoryMb) Requirements(TaskColumns tasks, int row)
    {
        if (!tasks.HasResources(row)) return (DefaultCpu, DefaultGpu, DefaultMemoryMb);
        return (tasks.CpuCores.GetInt32(row) ?? DefaultCpu, tasks.GpuCores.GetInt32(row) ?? DefaultGpu, tasks.MemoryMb.GetInt32(row) ?? DefaultMemoryMb);
    }

    /// <summary>Tasks that are assigned, running, completed or failed are not placed again.</summary>
    public static bool IsPlaceable(TaskColumns tasks, int row) =>
        TaskStatusBytes.Classify(tasks.Status.GetBytes(row)) is not (TaskState.Assigned or TaskState.Running or TaskState.Completed or TaskState.Failed);

    /// <summary>The best node for the requirements and its score; -1 when no node qualifies.</summary>
    public (int Node, double Score) Choose(int cpu, int gpu, int memoryMb)
    {
        int best = -1;
        double bestScore = double.NegativeInfinity;
        long memoryBytes = (long)memoryMb << 20;
        foreach (int i in _order)
        {
            if (!_eligible[i]) continue;
            if (!(_nodes.CpuCount.Get(i) >= cpu)) continue;
            if (gpu > 0 && !(_freeGpus[i] >= gpu && _nodes.GpuAvailable.Get(i) == true)) continue;
            if (_freeMemory[i] < memoryBytes) continue;
            double score = Score(i);
            if (score > bestScore) // strict: ties go to the node that comes first
            {
                best = i;
                bestScore = score;
            }
        }
        return (best, bestScore);
    }

    /// <summary>Takes the task's memory and GPUs from the node for the tasks placed after it.</summary>
    public void Consume(int node, int gpu, int memoryMb)
    {
        _freeMemory[node] -= (long)memoryMb << 20;
        _freeGpus[node] -= gpu;
    }

    private double Score(int i)
    {
        // A node that reports no load counts as fully loaded rather than idle.
        double load = _nodes.CpuLoad.Get(i) ?? 100f;
        long total = _nodes.MemoryTotal.Get(i) ?? 0;
        return 0.4 * (1 - load / 100.0) + 0.6 * (_freeMemory[i] / (double)Math.Max(total, 1));
    }
}
