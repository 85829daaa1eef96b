using ClusterState.Query;
using ClusterState.Storage;

namespace ClusterState.Analysis;

/// <summary>
/// Per-node task aggregates (active tasks, their GPU cores, completed, failed) from one pass over
/// the task columns, joining assigned_to to the node index on raw bytes. Built once per snapshot.
/// </summary>
internal sealed class NodeTaskAggregates
{
    public NodeTaskAggregates(ClusterSnapshot snapshot)
    {
        var nodes = SnapshotIndexes.NodeIds(snapshot);
        int n = snapshot.Nodes.RowSpace; // indexed by node row (a commit log's rows come after the base's)
        Active = new int[n];
        ActiveGpuCores = new long[n];
        Completed = new int[n];
        Failed = new int[n];
        var tasks = snapshot.Tasks;
        foreach (int t in tasks.Rows)
        {
            if (tasks.AssignedTo.IsNull(t)) continue;
            var state = TaskStatusBytes.Classify(tasks.Status.GetBytes(t));
            if (state is not (TaskState.Assigned or TaskState.Running or TaskState.Completed or TaskState.Failed)) continue;
            int node = nodes.Find(tasks.AssignedTo.GetBytes(t));
            if (node < 0) continue;
            switch (state)
            {
                case TaskState.Completed: Completed[node]++; break;
                case TaskState.Failed: Failed[node]++; break;
                default:
                    Active[node]++;
                    if (tasks.HasResources(t)) ActiveGpuCores[node] += tasks.GpuCores.Get(t) ?? 0;
                    break;
            }
        }
    }

    public int[] Active { get; }
    public long[] ActiveGpuCores { get; }
    public int[] Completed { get; }
    public int[] Failed { get; }

    public static NodeTaskAggregates Of(ClusterSnapshot s) => s.Data.GetOrAdd("aggregates:node-tasks", _ => new NodeTaskAggregates(s));
}
