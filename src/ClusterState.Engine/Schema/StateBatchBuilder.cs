using System;
using System.Collections.Generic;
using Apache.Arrow;
using Apache.Arrow.Types;

namespace ClusterState.Schema;

/// <summary>
/// Turns typed rows into the one-row record batch of the current schema version. Rows are
/// appended straight into column builders, so a caller can stream millions of them without
/// holding an object graph of the whole state.
/// </summary>
internal sealed class StateBatchBuilder
{
    private readonly int _version;
    private readonly NodeBuilder _nodes = new();
    private readonly TaskBuilder _tasks;
    private readonly ContentBuilder _content = new();

    public StateBatchBuilder(int version = ClusterSchema.CurrentVersion)
    {
        _version = version;
        _tasks = new TaskBuilder(version);
    }

    public int NodeCount => _nodes.Count;
    public int TaskCount => _tasks.Count;
    public int ContentCount => _content.Count;

    public void Add(ClusterNode node) => _nodes.Append(node);
    public void Add(ClusterTask task) => _tasks.Append(task);
    public void Add(ClusterContent content) => _content.Append(content);

    /// <summary>The struct array of the nodes added so far (for a commit's patch rows).</summary>
    public StructArray BuildNodeItems() => _nodes.Build();

    /// <summary>The struct array of the tasks added so far.</summary>
    public StructArray BuildTaskItems() => _tasks.Build();

    /// <summary>The struct array of the content added so far.</summary>
    public StructArray BuildContentItems() => _content.Build();

    public RecordBatch Build(string clusterId, string masterId, DateTime updatedAt, long generation)
    {
        var schema = ClusterSchema.Build(_version, generation);
        var arrays = new IArrowArray[]
        {
            new StringArray.Builder().Append(clusterId).Build(),
            new StringArray.Builder().Append(masterId).Build(),
            new TimestampArray.Builder(ClusterSchema.Timestamp).Append(Utc(updatedAt)).Build(),
            OneRowList(schema, ClusterSchema.Names.Nodes, _nodes.Build(), _nodes.Count),
            OneRowList(schema, ClusterSchema.Names.Tasks, _tasks.Build(), _tasks.Count),
            OneRowList(schema, ClusterSchema.Names.Content, _content.Build(), _content.Count),
        };
        return new RecordBatch(schema, arrays, 1);
    }

    private static ListArray OneRowList(Apache.Arrow.Schema schema, string column, StructArray items, int count)
    {
        var offsets = new ArrowBuffer.Builder<int>(2).Append(0).Append(count).Build();
        return new ListArray(schema.GetFieldByName(column).DataType, 1, offsets, items, ArrowBuffer.Empty, 0, 0);
    }

    internal static DateTimeOffset Utc(DateTime value) => value.Kind switch
    {
        DateTimeKind.Utc => new DateTimeOffset(value),
        DateTimeKind.Local => new DateTimeOffset(value.ToUniversalTime()),
        _ => new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc)),
    };

    /// <summary>A validity bitmap plus a count, shared by the struct builders.</summary>
    private abstract class ItemBuilder
    {
        private readonly ArrowBuffer.BitmapBuilder _valid = new();

        public int Count { get; private set; }

        protected void AppendValidity(bool valid)
        {
            _valid.Append(valid);
            Count++;
        }

        protected StructArray BuildStruct(StructType type, IEnumerable<IArrowArray> children) =>
            new(type, Count, children, _valid.UnsetBitCount == 0 ? ArrowBuffer.Empty : _valid.Build(), _valid.UnsetBitCount, 0);
    }

    private sealed class StringListBuilder
    {
        private readonly ListArray.Builder _builder = new(StringType.Default);

        public void Append(IReadOnlyList<string>? values)
        {
            _builder.Append();
            if (values is null) return;
            var strings = (StringArray.Builder)_builder.ValueBuilder;
            foreach (var v in values) strings.Append(v);
        }

        public ListArray Build(StructType parent, string name)
        {
            var built = _builder.Build();
            var type = parent.Fields[parent.GetFieldIndex(name, StringComparer.Ordinal)].DataType;
            return new ListArray(type, built.Length, built.ValueOffsetsBuffer, built.Values, built.NullBitmapBuffer, built.NullCount, 0);
        }
    }

    private sealed class NodeBuilder : ItemBuilder
    {
        private readonly StringArray.Builder _id = new(), _role = new(), _status = new();
        private readonly StringListBuilder _peers = new(), _capabilities = new();
        private readonly ResourcesBuilder _resources = new();

        public void Append(ClusterNode n)
        {
            _id.Append(n.Id);
            AppendString(_role, n.Role);
            AppendString(_status, n.Status);
            _peers.Append(n.Peers);
            _capabilities.Append(n.Capabilities);
            _resources.Append(n.Resources);
            AppendValidity(true);
        }

        public StructArray Build()
        {
            var type = ClusterSchema.NodeType;
            return BuildStruct(type, new IArrowArray[]
            {
                _id.Build(), _role.Build(), _status.Build(),
                _peers.Build(type, ClusterSchema.Names.Peers), _capabilities.Build(type, ClusterSchema.Names.Capabilities),
                _resources.Build((StructType)type.Fields[5].DataType),
            });
        }

        private sealed class ResourcesBuilder : ItemBuilder
        {
            private readonly Int32Array.Builder _cpuCount = new(), _gpuCount = new();
            private readonly FloatArray.Builder _cpuLoad = new();
            private readonly BooleanArray.Builder _gpuAvailable = new();
            private readonly Int64Array.Builder _memTotal = new(), _memAvail = new(), _diskTotal = new(), _diskAvail = new();

            public void Append(NodeResources? r)
            {
                AppendValue(_cpuCount, r?.CpuCount);
                if (r?.CpuLoad is float load) _cpuLoad.Append(load); else _cpuLoad.AppendNull();
                AppendValue(_gpuCount, r?.GpuCount);
                if (r?.GpuAvailable is bool gpu) _gpuAvailable.Append(gpu); else _gpuAvailable.AppendNull();
                AppendValue(_memTotal, r?.MemoryTotal);
                AppendValue(_memAvail, r?.MemoryAvailable);
                AppendValue(_diskTotal, r?.DiskTotal);
                AppendValue(_diskAvail, r?.DiskAvailable);
                AppendValidity(r is not null);
            }

            public StructArray Build(StructType type) => BuildStruct(type, new IArrowArray[]
            {
                _cpuCount.Build(), _cpuLoad.Build(), _gpuCount.Build(), _gpuAvailable.Build(),
                _memTotal.Build(), _memAvail.Build(), _diskTotal.Build(), _diskAvail.Build(),
            });
        }
    }

    private sealed class TaskBuilder : ItemBuilder
    {
        private readonly int _version;
        private readonly StringArray.Builder _id = new(), _type = new(), _status = new(), _assignedTo = new(), _inputCid = new(), _outputCid = new();
        private readonly TimestampArray.Builder _created = new(ClusterSchema.Timestamp), _updated = new(ClusterSchema.Timestamp),
            _started = new(ClusterSchema.Timestamp), _completed = new(ClusterSchema.Timestamp);
        private readonly StringListBuilder _inputCids = new(), _outputCids = new();
        private readonly ResourcesBuilder _resources = new();

        public TaskBuilder(int version) => _version = version;

        public void Append(ClusterTask t)
        {
            _id.Append(t.Id);
            AppendString(_type, t.Type);
            AppendString(_status, t.Status);
            AppendTime(_created, t.CreatedAt);
            AppendTime(_updated, t.UpdatedAt);
            AppendString(_assignedTo, t.AssignedTo);
            _resources.Append(t.Resources);
            AppendString(_inputCid, t.InputCid);
            AppendString(_outputCid, t.OutputCid);
            _inputCids.Append(t.InputCids);
            _outputCids.Append(t.OutputCids);
            AppendTime(_started, t.StartedAt);
            AppendTime(_completed, t.CompletedAt);
            AppendValidity(true);
        }

        public StructArray Build()
        {
            var type = ClusterSchema.TaskType(_version);
            var children = new List<IArrowArray>
            {
                _id.Build(), _type.Build(), _status.Build(), _created.Build(), _updated.Build(), _assignedTo.Build(),
                _resources.Build(ClusterSchema.TaskResourcesType), _inputCid.Build(), _outputCid.Build(),
                _inputCids.Build(type, ClusterSchema.Names.InputCids), _outputCids.Build(type, ClusterSchema.Names.OutputCids),
            };
            if (_version >= 2)
            {
                children.Add(_started.Build());
                children.Add(_completed.Build());
            }
            return BuildStruct(type, children);
        }

        private sealed class ResourcesBuilder : ItemBuilder
        {
            private readonly Int32Array.Builder _cpu = new(), _gpu = new(), _memory = new();

            public void Append(TaskResources? r)
            {
                AppendValue(_cpu, r?.CpuCores);
                AppendValue(_gpu, r?.GpuCores);
                AppendValue(_memory, r?.MemoryMB);
                AppendValidity(r is not null);
            }

            public StructArray Build(StructType type) => BuildStruct(type, new IArrowArray[] { _cpu.Build(), _gpu.Build(), _memory.Build() });
        }
    }

    private sealed class ContentBuilder : ItemBuilder
    {
        private readonly StringArray.Builder _cid = new();
        private readonly Int64Array.Builder _size = new();
        private readonly TimestampArray.Builder _created = new(ClusterSchema.Timestamp);
        private readonly StringListBuilder _providers = new();
        private readonly BooleanArray.Builder _pinned = new();
        private readonly Int32Array.Builder _replication = new();

        public void Append(ClusterContent c)
        {
            _cid.Append(c.Cid);
            AppendValue(_size, c.Size);
            AppendTime(_created, c.CreatedAt);
            _providers.Append(c.Providers);
            if (c.Pinned is bool p) _pinned.Append(p); else _pinned.AppendNull();
            AppendValue(_replication, c.Replication);
            AppendValidity(true);
        }

        public StructArray Build()
        {
            var type = ClusterSchema.ContentType;
            return BuildStruct(type, new IArrowArray[]
            {
                _cid.Build(), _size.Build(), _created.Build(), _providers.Build(type, ClusterSchema.Names.Providers),
                _pinned.Build(), _replication.Build(),
            });
        }
    }

    private static void AppendString(StringArray.Builder builder, string? value)
    {
        if (value is null) builder.AppendNull(); else builder.Append(value);
    }

    private static void AppendTime(TimestampArray.Builder builder, DateTime? value)
    {
        if (value is DateTime d) builder.Append(Utc(d)); else builder.AppendNull();
    }

    private static void AppendValue(Int32Array.Builder builder, int? value)
    {
        if (value is int v) builder.Append(v); else builder.AppendNull();
    }

    private static void AppendValue(Int64Array.Builder builder, long? value)
    {
        if (value is long v) builder.Append(v); else builder.AppendNull();
    }
}
