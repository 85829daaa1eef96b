using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using ClusterState.Query;

namespace ClusterState;

/// <summary>
/// Waits until tasks reach one of a set of statuses (Wait-ClusterTask). The tasks are read again
/// only after a commit (<see cref="StateSource.WaitForCommit"/>: a file-system watch locally, a
/// long poll on a server), so waiting costs nothing between commits and answers within a fraction
/// of a second of the one that finishes the last task.
/// </summary>
public sealed class TaskWaiter
{
    private readonly StateSource _source;

    /// <summary>A waiter on the tasks of <paramref name="source"/>.</summary>
    public TaskWaiter(StateSource source) => _source = source ?? throw new ArgumentNullException(nameof(source));

    /// <summary>
    /// Returns once every task of <paramref name="ids"/> has one of <paramref name="statuses"/>
    /// (compared ASCII case-insensitively, as everywhere), or at once when an id names no task.
    /// </summary>
    /// <param name="ids">Exact task ids (wildcard characters are taken literally).</param>
    /// <param name="statuses">The statuses that end the wait.</param>
    /// <param name="timeout">How long to wait in all.</param>
    /// <param name="cancel">Stops the wait with <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="ClusterStateException">WaitTimeout when <paramref name="timeout"/> passes first; its message names the tasks still waiting and their status, its target is their ids.</exception>
    public TaskWaitResult Wait(IEnumerable<string> ids, IReadOnlyList<string> statuses, TimeSpan timeout, CancellationToken cancel)
    {
        var exact = ids.Distinct(StringComparer.Ordinal).Select(Literal).ToArray();
        var wanted = new HashSet<string>(statuses, StringComparer.OrdinalIgnoreCase);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            long generation;
            List<ClusterTask> tasks;
            using (var snapshot = _source.Open())
            {
                generation = snapshot.Generation;
                var found = snapshot.FindTasks(new TaskQuery { Id = exact });
                if (found.MissingIds.Count > 0) return new TaskWaitResult(Array.Empty<ClusterTask>(), found.MissingIds.ToArray());
                // Row objects hold their own lease on the mapping, so they outlive this snapshot.
                tasks = found.Items.ToList();
            }
            var waiting = tasks.Where(t => t.Status is null || !wanted.Contains(t.Status)).ToList();
            if (waiting.Count == 0) return new TaskWaitResult(tasks, Array.Empty<string>());
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new ClusterStateException(ErrorIds.WaitTimeout, ClusterStateErrorKind.Timeout,
                    $"After {timeout.TotalSeconds:0.###} s, {waiting.Count} of {tasks.Count} task(s) are not {string.Join(" or ", statuses)}: "
                    + string.Join(", ", waiting.Take(10).Select(t => $"{t.Id} ({t.Status ?? "no status"})")) + (waiting.Count > 10 ? ", …" : "") + ".",
                    waiting.Select(t => t.Id).ToArray());
            }
            _source.WaitForCommit(generation, left, cancel);
        }
    }

    // Task queries take PowerShell wildcard syntax; a backtick makes each special character literal
    // (what WildcardPattern.Escape does), so an id holding * or ? waits for that task only.
    private static string Literal(string id)
    {
        if (id.AsSpan().IndexOfAny("*?[]`") < 0) return id;
        var sb = new StringBuilder(id.Length + 4);
        foreach (char c in id)
        {
            if (c is '*' or '?' or '[' or ']' or '`') sb.Append('`');
            sb.Append(c);
        }
        return sb.ToString();
    }
}
