using System;
using System.Collections.Generic;
using System.Linq;

namespace ClusterState.Storage;

/// <summary>
/// How updates change an item, and the checks every added or changed item must pass before a
/// commit writes anything (SPEC.md §1 vocabularies, non-negative resources, known nodes).
/// </summary>
internal static class ChangeRules
{
    /// <summary>
    /// Checks every id a change set would write (IdRules): the ids of added items, and the ids
    /// that added items and updates refer to (assigned_to, peers, providers, CIDs). The ids that
    /// updates and removals address are not checked: they name items already in the state, which
    /// must stay changeable and removable whatever they hold. Removing a peer, provider or output
    /// CID is not checked either, so a bad reference can always be taken out.
    /// </summary>
    public static void CheckIds(ChangeSet c)
    {
        foreach (var n in c.AddNodes)
        {
            IdRules.Check(n.Id, "node id");
            References(n.Peers, "peer", "node ", n.Id);
        }
        foreach (var u in c.UpdateNodes)
        {
            References(u.Peers, "peer", "node ", u.Id);
            References(u.AddPeers, "peer", "node ", u.Id);
        }
        foreach (var t in c.AddTasks)
        {
            IdRules.Check(t.Id, "task id");
            Reference(t.AssignedTo, "assigned_to", "task ", t.Id);
            Reference(t.InputCid, "input_cid", "task ", t.Id);
            Reference(t.OutputCid, "output_cid", "task ", t.Id);
            References(t.InputCids, "input CID", "task ", t.Id);
            References(t.OutputCids, "output CID", "task ", t.Id);
        }
        foreach (var u in c.UpdateTasks)
        {
            Reference(u.AssignedTo, "assigned_to", "task ", u.Id);
            Reference(u.OutputCid, "output_cid", "task ", u.Id);
            References(u.OutputCids, "output CID", "task ", u.Id);
            References(u.AddOutputCids, "output CID", "task ", u.Id);
        }
        foreach (var x in c.AddContent)
        {
            IdRules.Check(x.Cid, "CID");
            References(x.Providers, "provider", "", x.Cid);
        }
        foreach (var u in c.UpdateContent)
        {
            References(u.Providers, "provider", "", u.Cid);
            References(u.AddProviders, "provider", "", u.Cid);
        }
    }

    /// <summary>
    /// Checks a reference to an id (assigned_to, a peer, a provider, a CID: null and "" mean none
    /// and pass) as <see cref="IdRules.Check"/> checks ids; the words that name it in
    /// the error ("assigned_to of task 'x'") are made only when it fails: made for every reference
    /// of a 10,000-task pipeline, they were a sixth of what its commit allocated.
    /// </summary>
    private static void Reference(string? id, string field, string ownerKind, string ownerId)
    {
        if (!string.IsNullOrEmpty(id) && IdRules.Problem(id) is not null)
            IdRules.Check(id, $"{field} of {ownerKind}'{IdRules.Printable(ownerId)}'");
    }

    private static void References(IEnumerable<string?>? ids, string field, string ownerKind, string ownerId)
    {
        if (ids is null) return;
        foreach (var id in ids) Reference(id, field, ownerKind, ownerId);
    }

    public static void Apply(ClusterNode node, NodeUpdate u)
    {
        if (u.Role is not null) node.Role = u.Role;
        if (u.Status is not null) node.Status = u.Status;
        node.Peers = Edit(node.Peers, u.Peers, u.AddPeers, u.RemovePeers);
        node.Capabilities = Edit(node.Capabilities, u.Capabilities, u.AddCapabilities, u.RemoveCapabilities);
        if (u.CpuCount is not null || u.CpuLoad is not null || u.GpuCount is not null || u.GpuAvailable is not null || u.MemoryTotal is not null
            || u.MemoryAvailable is not null || u.DiskTotal is not null || u.DiskAvailable is not null)
        {
            var r = node.Resources ?? new NodeResources();
            r.CpuCount = u.CpuCount ?? r.CpuCount;
            r.CpuLoad = u.CpuLoad ?? r.CpuLoad;
            r.GpuCount = u.GpuCount ?? r.GpuCount;
            r.GpuAvailable = u.GpuAvailable ?? r.GpuAvailable;
            r.MemoryTotal = u.MemoryTotal ?? r.MemoryTotal;
            r.MemoryAvailable = u.MemoryAvailable ?? r.MemoryAvailable;
            r.DiskTotal = u.DiskTotal ?? r.DiskTotal;
            r.DiskAvailable = u.DiskAvailable ?? r.DiskAvailable;
            node.Resources = r;
        }
        ApplyFields(Schema.NodeFields.Table, node, u.Fields, typeof(NodeUpdate));
    }

    /// <summary>
    /// Whether <see cref="Apply(ClusterTask, TaskUpdate, DateTime)"/> neither reads nor writes the
    /// task's CIDs for this update (none named, no field set by name): a commit then reads the row
    /// without them (TaskColumns.ReadWithoutCids). Kept beside Apply: an update that comes to touch
    /// CIDs must say so here.
    /// </summary>
    public static bool LeavesCids(TaskUpdate u) => u.OutputCid is null && u.OutputCids is null && u.AddOutputCids is null && u.Fields is null;

    /// <summary>
    /// Whether an update sets resources (CPU, GPU, memory) and nothing else. Such an update reads
    /// and writes only <see cref="ResourceUpdateReads"/> and the time of the update (below, and
    /// in <see cref="Validate(ClusterTask, bool, Func{string, bool}, bool)"/>): the commit plans
    /// such updates on the columns (TaskResourceEdit) and copies the rest of each row as stored.
    /// </summary>
    public static bool OnlyResources(TaskUpdate u) =>
        u.Type is null && !u.Unassign && u.AssignedTo is null && u.Status is null && LeavesCids(u);

    /// <summary>The fields of a task that <see cref="Apply(ClusterTask, TaskUpdate, DateTime)"/> and Validate read for an update <see cref="OnlyResources"/> holds of.</summary>
    public static IReadOnlySet<string> ResourceUpdateReads { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        ClusterSchema.Names.Id, ClusterSchema.Names.Status, ClusterSchema.Names.AssignedTo, ClusterSchema.Names.Resources,
    };

    public static void Apply(ClusterTask task, TaskUpdate u, DateTime now)
    {
        if (u.Type is not null) task.Type = u.Type;
        if (u.Unassign) task.AssignedTo = null;
        if (u.AssignedTo is not null) task.AssignedTo = u.AssignedTo;
        if (u.Status is not null && !string.Equals(u.Status, task.Status, StringComparison.OrdinalIgnoreCase))
        {
            switch (u.Status.ToLowerInvariant())
            {
                case Vocabularies.Pending:
                    // Back in the queue: a retry starts from scratch unless a node is given.
                    if (u.AssignedTo is null) task.AssignedTo = null;
                    task.StartedAt = null;
                    task.CompletedAt = null;
                    break;
                case Vocabularies.Running:
                    task.StartedAt ??= now;
                    task.CompletedAt = null;
                    break;
                case Vocabularies.Completed or Vocabularies.Failed:
                    task.CompletedAt ??= now;
                    break;
            }
            task.Status = u.Status;
        }
        if (u.OutputCid is not null) task.OutputCid = u.OutputCid;
        task.OutputCids = Edit(task.OutputCids, u.OutputCids, u.AddOutputCids, null);
        if (u.CpuCores is not null || u.GpuCores is not null || u.MemoryMB is not null)
        {
            var r = task.Resources ?? new TaskResources();
            r.CpuCores = u.CpuCores ?? r.CpuCores;
            r.GpuCores = u.GpuCores ?? r.GpuCores;
            r.MemoryMB = u.MemoryMB ?? r.MemoryMB;
            task.Resources = r;
        }
        ApplyFields(Schema.TaskFields.Table, task, u.Fields, typeof(TaskUpdate));
        task.UpdatedAt = now;
    }

    public static void Apply(ClusterContent content, ContentUpdate u)
    {
        content.Providers = Edit(content.Providers, u.Providers, u.AddProviders, u.RemoveProviders);
        if (u.Pinned is not null) content.Pinned = u.Pinned;
        if (u.Size is not null) content.Size = u.Size;
        if (u.Replication is not null) content.Replication = u.Replication;
        if (u.ReplicationDelta is int delta)
        {
            long target = (long)(content.Replication ?? 0) + delta; // in 64 bits: int.MaxValue + 1 must not wrap to a negative target
            if (target is < 0 or > int.MaxValue)
                throw Invalid(ErrorIds.InvalidResourceValue,
                    $"'{content.Cid}': replication {content.Replication ?? 0} {(delta < 0 ? "-" : "+")} {Math.Abs((long)delta)} = {target} is outside 0–{int.MaxValue}.", content.Cid);
            content.Replication = (int)target;
        }
        ApplyFields(Schema.ContentFields.Table, content, u.Fields, typeof(ContentUpdate));
    }

    /// <summary>
    /// Sets an update's by-name fields through the entity's field table. A field that a typed
    /// property of the update covers is refused: its rules (status times, list edits, deltas)
    /// live with that property, and two ways to set one field would disagree.
    /// </summary>
    private static void ApplyFields<T>(Schema.EntityFields<T> table, T item, Dictionary<string, object?>? fields, Type updateType)
        where T : class
    {
        if (fields is null) return;
        foreach (var (name, value) in fields)
        {
            var row = table.Assign(item, name, value);
            if (updateType.GetProperty(row.Property) is not null)
                throw new ClusterStateException(ErrorIds.FieldNotUpdatable, ClusterStateErrorKind.InvalidArgument,
                    $"The field '{name}' is set through the update's {row.Property} property, not by name.", name);
        }
    }

    public static void Validate(ClusterNode n, bool force)
    {
        RequireId(n.Id, "node");
        CheckVocabulary(n.Role, Vocabularies.NodeRoles, ErrorIds.UnknownRole, "role", n.Id, force);
        CheckVocabulary(n.Status, Vocabularies.NodeStatuses, ErrorIds.UnknownStatus, "status", n.Id, force);
        if (n.Resources is { } r)
        {
            NotNegative(r.CpuCount, "cpu_count", n.Id);
            NotNegative(r.GpuCount, "gpu_count", n.Id);
            NotNegative(r.MemoryTotal, "memory_total", n.Id);
            NotNegative(r.MemoryAvailable, "memory_available", n.Id);
            NotNegative(r.DiskTotal, "disk_total", n.Id);
            NotNegative(r.DiskAvailable, "disk_available", n.Id);
            if (r.CpuLoad is float load && (load < 0 || load > 100 || float.IsNaN(load)))
                throw Invalid(ErrorIds.InvalidResourceValue, $"Node '{n.Id}': cpu_load {load} is outside 0–100.", n.Id);
        }
    }

    /// <summary>
    /// Checks a task as the commit leaves it. <paramref name="checkAssignment"/> is true only when
    /// the task is added or the change sets its assigned_to: a state may already hold tasks whose
    /// node is gone (written before Remove-ClusterNode refused that, or by other programs), and
    /// completing them or changing their requirements must not fail over an assignment the
    /// change does not touch.
    /// </summary>
    public static void Validate(ClusterTask t, bool force, Func<string, bool> nodeExists, bool checkAssignment)
    {
        RequireId(t.Id, "task");
        CheckVocabulary(t.Status, Vocabularies.TaskStatuses, ErrorIds.UnknownStatus, "status", t.Id, force);
        if (checkAssignment && t.AssignedTo is { Length: > 0 } node && !nodeExists(node))
            throw new ClusterStateException(ErrorIds.AssignedNodeNotFound, ClusterStateErrorKind.NotFound,
                $"Task '{t.Id}' cannot be assigned to '{node}': no node with that id exists in the state.", t.Id);
        if (!force && t.Status is Vocabularies.Assigned or Vocabularies.Running && string.IsNullOrEmpty(t.AssignedTo))
            throw Invalid(ErrorIds.InvalidArgument, $"Task '{t.Id}' is {t.Status} but assigned to no node; name its node, or force the status.", t.Id);
        if (t.Resources is { } r)
        {
            NotNegative(r.CpuCores, "cpu_cores", t.Id);
            NotNegative(r.GpuCores, "gpu_cores", t.Id);
            NotNegative(r.MemoryMB, "memory_mb", t.Id);
        }
    }

    public static void Validate(ClusterContent c)
    {
        RequireId(c.Cid, "content");
        NotNegative(c.Size, "size", c.Cid);
        NotNegative(c.Replication, "replication", c.Cid);
    }

    /// <summary>Replace a list, or add to / remove from it, keeping order and dropping duplicates added.</summary>
    private static string[] Edit(string[] current, string[]? replace, string[]? add, string[]? remove)
    {
        if (replace is null && add is null && remove is null) return current;
        var result = new List<string>(replace ?? current);
        if (add is not null)
        {
            foreach (var a in add) if (!result.Contains(a, StringComparer.Ordinal)) result.Add(a);
        }
        if (remove is not null) result.RemoveAll(x => remove.Contains(x, StringComparer.Ordinal));
        return result.ToArray();
    }

    private static void RequireId(string? id, string what)
    {
        if (string.IsNullOrWhiteSpace(id))
            throw Invalid(ErrorIds.MissingId, $"A {what} needs a non-empty id.", id);
    }

    private static void CheckVocabulary(string? value, IReadOnlyList<string> vocabulary, string errorId, string what, string id, bool force)
    {
        if (force || value is null || vocabulary.Contains(value, StringComparer.Ordinal)) return;
        throw Invalid(errorId, $"'{id}': {what} '{value}' is not one of {string.Join(", ", vocabulary)} (keeping it must be asked for).", value);
    }

    private static void NotNegative(long? value, string field, string id)
    {
        if (value < 0) throw Invalid(ErrorIds.InvalidResourceValue, $"'{id}': {field} cannot be negative ({value}).", id);
    }

    private static ClusterStateException Invalid(string errorId, string message, object? target) =>
        new(errorId, ClusterStateErrorKind.InvalidArgument, message, target);
}
