// DuckDB reads the module's flat Parquet export, as an independent reader.
// Usage: node query-export.mjs <export directory> <task id>
import { DuckDBInstance } from '@duckdb/node-api';
import { join } from 'node:path';

const [dir, taskId] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const file = (n) => `'${join(dir, n + '.parquet').replaceAll("'", "''")}'`;
const one = async (sql) => (await (await con.run(sql)).getRowObjectsJson())[0];
const result = {
  nodes: await one(`select count(*) as n, count(*) filter (where role = 'worker') as workers, sum(cpu_count) as cpus, sum(len(peers)) as peers from ${file('nodes')}`),
  tasks: await one(`select count(*) as n, count(*) filter (where status = 'failed') as failed, count(*) filter (where status = 'pending' and gpu_cores >= 1) as pending_gpu, sum(len(input_cids)) as inputs from ${file('tasks')}`),
  task: await one(`select id, status, assigned_to, memory_mb, input_cids, epoch_ms(created_at) as created_ms, epoch_ms(completed_at) as completed_ms from ${file('tasks')} where id = '${taskId}'`),
  content: await one(`select count(*) as n, sum(size) as bytes, count(*) filter (where pinned) as pinned, sum(len(providers)) as providers from ${file('content')}`),
  rowGroups: await one(`select count(distinct row_group_id) as groups from parquet_metadata(${file('tasks')})`),
};
console.log(JSON.stringify(result));
