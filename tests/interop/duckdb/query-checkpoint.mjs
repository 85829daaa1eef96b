// DuckDB reads a nested one-row checkpoint. Usage: node query-checkpoint.mjs <file.parquet>
import { DuckDBInstance } from '@duckdb/node-api';

const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const file = `'${process.argv[2].replaceAll("'", "''")}'`;
const rows = await (await con.run(`select cluster_id, len(nodes) as nodes, len(tasks) as tasks, len(content) as content,
  len(list_filter(tasks, t -> t.status = 'failed')) as failed,
  tasks[1].id as first_task, tasks[1].input_cids as first_inputs, nodes[1].resources.memory_total as first_memory
  from read_parquet(${file})`)).getRowObjectsJson();
console.log(JSON.stringify(rows[0]));
