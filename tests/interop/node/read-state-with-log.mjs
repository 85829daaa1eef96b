// Reads a ClusterState directory — the base snapshot and its commit log — with apache-arrow and
// the merge rule of docs/FORMAT.md "The commit log", as another program would, and prints the
// merged rows as JSON: per entity the ids in order and every row (timestamps as epoch
// milliseconds, int64 values as numbers).
// Usage: node read-state-with-log.mjs <state directory>
import { readFileSync } from 'node:fs';
import { tableFromIPC, RecordBatchReader } from 'apache-arrow';

const dir = process.argv[2];

// --- the code shown in docs/FORMAT.md, unchanged ---
const meta = JSON.parse(readFileSync(`${dir}/state_metadata.json`, 'utf8'));
const base = tableFromIPC(readFileSync(`${dir}/${meta.snapshot}`)).get(0);
const keys = { nodes: 'id', tasks: 'id', content: 'cid' };
const rows = Object.fromEntries(Object.keys(keys).map(e => [e, [...base[e]].map(r => r.toJSON())]));
if (meta.log) {
  const log = readFileSync(`${dir}/${meta.log}`).subarray(0, meta.log_length);
  for (const batch of RecordBatchReader.from(log)) {
    const record = batch.get(0);
    for (const [e, key] of Object.entries(keys)) {
      const gone = new Set(record[`removed_${e}`]);
      rows[e] = rows[e].filter(r => !gone.has(r[key]));
      const at = new Map(rows[e].map((r, i) => [r[key], i]));
      for (const r of record[e]) {
        const row = r.toJSON();
        if (at.has(row[key])) rows[e][at.get(row[key])] = row;
        else { at.set(row[key], rows[e].length); rows[e].push(row); }
      }
    }
  }
}
// --- end of the documented code ---

// Nested structs and lists come back as Arrow rows and vectors; int64 as BigInt.
const plain = (v) => {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v !== 'object') return v;
  if (typeof v.toArray === 'function' && typeof v.toJSON !== 'function') return [...v].map(plain);
  const j = typeof v.toJSON === 'function' ? v.toJSON() : v;
  if (Array.isArray(j)) return j.map(plain);
  return Object.fromEntries(Object.entries(j).map(([k, x]) => [k, plain(x)]));
};

console.log(JSON.stringify({
  generation: meta.generation,
  log: meta.log ?? null,
  ids: Object.fromEntries(Object.entries(keys).map(([e, key]) => [e, rows[e].map(r => r[key])])),
  rows: Object.fromEntries(Object.keys(keys).map(e => [e, rows[e].map(plain)])),
}));
