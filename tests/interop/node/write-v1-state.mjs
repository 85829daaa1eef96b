// Writes a version-1 cluster state (the seed schema exactly) with apache-arrow, as a Python or
// JavaScript master would, so the module can prove it reads states it did not write.
// Usage: node write-v1-state.mjs <state directory>
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Bool, Field, Float32, Int32, Int64, List, RecordBatch, Schema, Struct, Table, TimestampMillisecond, Utf8,
  makeData, tableToIPC, vectorFromArray,
} from 'apache-arrow';

const dir = process.argv[2];
const f = (name, type) => new Field(name, type, true);
const strings = () => new List(f('item', new Utf8()));
const ts = () => new TimestampMillisecond();
const t0 = Date.UTC(2026, 0, 15, 12, 0, 0);

const nodeType = new Struct([
  f('id', new Utf8()), f('role', new Utf8()), f('status', new Utf8()), f('peers', strings()), f('capabilities', strings()),
  f('resources', new Struct([
    f('cpu_count', new Int32()), f('cpu_load', new Float32()), f('gpu_count', new Int32()), f('gpu_available', new Bool()),
    f('memory_total', new Int64()), f('memory_available', new Int64()), f('disk_total', new Int64()), f('disk_available', new Int64()),
  ])),
]);
const taskType = new Struct([
  f('id', new Utf8()), f('type', new Utf8()), f('status', new Utf8()), f('created_at', ts()), f('updated_at', ts()),
  f('assigned_to', new Utf8()),
  f('resources', new Struct([f('cpu_cores', new Int32()), f('gpu_cores', new Int32()), f('memory_mb', new Int32())])),
  f('input_cid', new Utf8()), f('output_cid', new Utf8()), f('input_cids', strings()), f('output_cids', strings()),
]);
const contentType = new Struct([
  f('cid', new Utf8()), f('size', new Int64()), f('created_at', ts()), f('providers', strings()), f('pinned', new Bool()),
  f('replication', new Int32()),
]);

const res = (cpu, load, gpu, free) => ({
  cpu_count: cpu, cpu_load: load, gpu_count: gpu, gpu_available: gpu > 0,
  memory_total: 32n << 30n, memory_available: BigInt(free) << 30n, disk_total: 1000n, disk_available: 500n,
});
const nodes = [
  { id: 'js-master', role: 'master', status: 'online', peers: ['js-w1'], capabilities: ['coordination'], resources: res(8, 5, 0, 30) },
  { id: 'js-w1', role: 'worker', status: 'online', peers: ['js-master', 'js-w2'], capabilities: ['compute', 'gpu'], resources: res(16, 40, 2, 20) },
  { id: 'js-w2', role: 'worker', status: 'offline', peers: [], capabilities: ['compute'], resources: null },
];
const task = (id, status, node, cpu, inputs, output) => ({
  id, type: 'inference', status, created_at: t0, updated_at: t0 + 1000, assigned_to: node,
  resources: cpu === null ? null : { cpu_cores: cpu, gpu_cores: 0, memory_mb: 512 },
  input_cid: inputs[0] ?? null, output_cid: output, input_cids: inputs, output_cids: output ? [output] : [],
});
const tasks = [
  task('js-t1', 'completed', 'js-w1', 2, ['bafy-in'], 'bafy-out'),
  task('js-t2', 'pending', null, null, [], null),
  task('js-t3', 'running', 'js-w1', 4, ['bafy-in', 'bafy-other'], null),
];
const content = [
  { cid: 'bafy-in', size: 1024n, created_at: t0, providers: ['js-w1', 'js-master'], pinned: true, replication: 3 },
  { cid: 'bafy-out', size: 2048n, created_at: t0, providers: ['js-w1'], pinned: false, replication: 1 },
  { cid: 'bafy-orphan', size: 1n, created_at: t0, providers: [], pinned: true, replication: 1 },
];

const column = (type, value) => vectorFromArray([value], type).data[0];
const fields = [
  f('cluster_id', new Utf8()), f('master_id', new Utf8()), f('updated_at', ts()),
  f('nodes', new List(f('item', nodeType))), f('tasks', new List(f('item', taskType))), f('content', new List(f('item', contentType))),
];
const values = ['js-cluster', 'js-master', t0 + 5000, nodes, tasks, content];
const schema = new Schema(fields, new Map([['schema_version', '1']]));
const children = fields.map((fd, i) => column(fd.type, values[i]));
const batch = new RecordBatch(schema, makeData({ type: new Struct(fields), length: 1, nullCount: 0, children }));
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'snapshot_00000001.arrow'), tableToIPC(new Table(batch), 'file'));
writeFileSync(join(dir, 'state_metadata.json'), JSON.stringify({
  cluster_id: 'js-cluster', master_id: 'js-master', schema_version: 1, generation: 1,
  snapshot: 'snapshot_00000001.arrow', updated_at: new Date(t0 + 5000).toISOString(),
}, null, 2));
console.log('written');
