using System;
using System.Collections.Generic;
using System.Linq;
using Apache.Arrow;
using Apache.Arrow.Types;
using ClusterState.Schema;
using ClusterState.Storage;
using N = ClusterState.ClusterSchema.Names;

namespace ClusterState;

public static partial class StateStore
{
    /// <summary>Fields of other writers whose values the seed fields take over on migration.</summary>
    private static readonly HashSet<string> AliasSources = new(StringComparer.Ordinal) { "cpu_usage", "disk_free", "result_cid", "pinned_at" };

    /// <summary>
    /// Migrates a state to the current schema version as one atomic commit: every seed field is
    /// rewritten in the canonical type of <see cref="ClusterSchema.CurrentVersion"/> (aliases of
    /// the ipfs_kit_py variant resolved, narrow integers widened, version-2 fields added as null),
    /// fields other writers added are carried over unchanged. A state of a newer version is
    /// refused, never rewritten. Returns null when the state already is canonical and current.
    /// </summary>
    public static CommitResult? Migrate(string directory, CommitOptions? options = null, Action<string>? progress = null)
    {
        options ??= new CommitOptions();
        directory = System.IO.Path.GetFullPath(directory);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var writerLock = WriterLock.Acquire(directory, options.LockTimeout);
        var metadata = Settle(directory); // every row is rewritten: commits still publishing theirs included
        using var current = ClusterSnapshot.Open(directory);
        current.Data.ValidateAll(); // every row and extra column is rewritten: refuse damage first
        if (current.SchemaVersion > ClusterSchema.CurrentVersion)
            throw new ClusterStateException(ErrorIds.SchemaVersionUnsupported, ClusterStateErrorKind.InvalidData,
                $"The state is at schema version {current.SchemaVersion}, newer than this module's {ClusterSchema.CurrentVersion}; it is left as it is.", current.SchemaVersion);
        long generation = StateMetadata.Next(metadata.Generation, directory);
        var canonical = ClusterSchema.Build(ClusterSchema.CurrentVersion, generation);
        var builder = new StateBatchBuilder(ClusterSchema.CurrentVersion);
        var flat = current.Data.Flat; // every row is rewritten: the state as one batch, a commit log folded in
        progress?.Invoke("nodes");
        for (int i = 0; i < flat.Nodes.Count; i++) builder.Add(flat.Nodes.Read(i));
        progress?.Invoke("tasks");
        for (int i = 0; i < flat.Tasks.Count; i++) builder.Add(flat.Tasks.Read(i));
        progress?.Invoke("content");
        for (int i = 0; i < flat.Content.Count; i++) builder.Add(flat.Content.Read(i));
        var now = Truncate(options.Now ?? DateTime.UtcNow);
        var old = current.RecordBatch;
        var columns = new Dictionary<string, IArrowArray>(StringComparer.Ordinal)
        {
            [N.ClusterId] = new StringArray.Builder().Append(current.ClusterId).Build(ManagedMemoryAllocator.Instance),
            [N.MasterId] = new StringArray.Builder().Append(current.MasterId).Build(ManagedMemoryAllocator.Instance),
            [N.UpdatedAt] = new TimestampArray.Builder(ClusterSchema.Timestamp).Append(StateBatchBuilder.Utc(now)).Build(ManagedMemoryAllocator.Instance),
            [N.Nodes] = WithExtras(flat.Nodes, builder.BuildNodeItems()),
            [N.Tasks] = WithExtras(flat.Tasks, builder.BuildTaskItems()),
            [N.Content] = WithExtras(flat.Content, builder.BuildContentItems()),
        };
        var fields = canonical.FieldsList.Select(f => new Field(f.Name, columns[f.Name].Data.DataType, true, null)).ToList();
        var arrays = canonical.FieldsList.Select(f => columns[f.Name]).ToList();
        // Top-level columns another writer added stay, after the seed's.
        for (int i = 0; i < old.Schema.FieldsList.Count; i++)
        {
            if (columns.ContainsKey(old.Schema.FieldsList[i].Name)) continue;
            fields.Add(old.Schema.FieldsList[i]);
            arrays.Add(old.Column(i));
        }
        var schemaMetadata = new Dictionary<string, string>(old.Schema.Metadata ?? new Dictionary<string, string>());
        foreach (var kv in canonical.Metadata) schemaMetadata[kv.Key] = kv.Value;
        var schema = new Apache.Arrow.Schema(fields, schemaMetadata);
        if (current.SchemaVersion == ClusterSchema.CurrentVersion && ArrowTypes.Same(old.Schema, schema)) return null;
        var snapshotName = PublishGeneration(directory, metadata, new RecordBatch(schema, arrays, 1), ClusterSchema.CurrentVersion, now, options, _ => { }, changes: null);
        return new CommitResult
        {
            PreviousGeneration = metadata.Generation,
            Generation = generation,
            Snapshot = snapshotName,
            CommittedAt = now,
            Updated = current.NodeCount + current.TaskCount + current.ContentCount,
            Elapsed = clock.Elapsed,
        };
    }

    /// <summary>The canonical item struct, followed by the fields other writers added (carried over as they are).</summary>
    private static ListArray WithExtras(EntityColumns old, StructArray canonical)
    {
        var canonicalType = (StructType)canonical.Data.DataType;
        var oldType = (StructType)old.Items.Data.DataType;
        var fields = canonicalType.Fields.ToList();
        var children = canonical.Fields.ToList();
        int rowBase = old.Items.Offset + old.Start;
        var plan = Enumerable.Range(0, old.Count).Select(r => new ArrayInterleave.Take(0, rowBase + r)).ToArray();
        for (int f = 0; f < oldType.Fields.Count; f++)
        {
            var field = oldType.Fields[f];
            if (canonicalType.GetFieldIndex(field.Name, StringComparer.Ordinal) >= 0 || AliasSources.Contains(field.Name)) continue;
            fields.Add(field);
            children.Add(ArrayInterleave.Build(field.DataType, new IArrowArray?[] { old.Items.Fields[f] }, plan));
        }
        var type = new StructType(fields);
        return StateBatchBuilder.OneRowList(new ListType(new Field("item", type, true, null)), new StructArray(type, old.Count, children, ArrowBuffer.Empty, 0, 0));
    }
}
