// Opens a ClusterState snapshot (Arrow IPC file) with apache-arrow and prints what a reader in
// another language sees: the cluster id, the counts, the schema metadata and one task's fields.
// Usage: node read-snapshot.mjs <state directory> <task index>
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';

const [stateDir, taskIndexArg] = process.argv.slice(2);
const metadata = JSON.parse(readFileSync(join(stateDir, 'state_metadata.json'), 'utf8'));
const table = tableFromIPC(readFileSync(join(stateDir, metadata.snapshot)));
if (table.numRows !== 1) throw new Error(`expected one row, found ${table.numRows}`);

const row = table.get(0);
const nodes = row.nodes;
const tasks = row.tasks;
const content = row.content;
const task = tasks.get(Number(taskIndexArg ?? 0));
const time = (v) => (v === null || v === undefined ? null : new Date(Number(v)).toISOString());
const list = (v) => (v ? [...v] : []);

console.log(JSON.stringify({
  clusterId: row.cluster_id,
  masterId: row.master_id,
  schemaVersion: table.schema.metadata.get('schema_version'),
  generation: table.schema.metadata.get('generation'),
  nodeCount: nodes.length,
  taskCount: tasks.length,
  contentCount: content.length,
  task: {
    id: task.id,
    type: task.type,
    status: task.status,
    assignedTo: task.assigned_to,
    createdAt: time(task.created_at),
    startedAt: time(task.started_at),
    completedAt: time(task.completed_at),
    cpuCores: task.resources ? task.resources.cpu_cores : null,
    gpuCores: task.resources ? task.resources.gpu_cores : null,
    memoryMb: task.resources ? task.resources.memory_mb : null,
    inputCids: list(task.input_cids),
    outputCids: list(task.output_cids),
  },
  firstNode: {
    id: nodes.get(0).id,
    role: nodes.get(0).role,
    peers: list(nodes.get(0).peers),
    memoryTotal: Number(nodes.get(0).resources.memory_total),
  },
}));
