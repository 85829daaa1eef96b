// An Arrow Flight client of the ClusterState server written as a stranger would: from the Flight
// section of docs/FORMAT.md and Arrow's public Flight.proto (vendored in proto/), with
// @grpc/grpc-js at its DEFAULT channel options (4 MiB receive limit) and apache-arrow for IPC.
// It prints one JSON object with what it saw; it exits 0 even when a step fails (the step's
// "error" says how), so the caller can tell which step broke.
//
// Usage: node flight-client.mjs <grpc://host:port> [token]
//   the token may also come from CLUSTERSTATE_FLIGHT_TOKEN (preferred: not on a command line)
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { Message, MessageHeader, RecordBatchReader } from 'apache-arrow';

const [uriArg, tokenArg] = process.argv.slice(2);
const token = tokenArg ?? process.env.CLUSTERSTATE_FLIGHT_TOKEN;
if (!uriArg || !token) {
  console.error('usage: node flight-client.mjs <grpc://host:port> [token]  (or CLUSTERSTATE_FLIGHT_TOKEN)');
  process.exit(2);
}
const uri = new URL(uriArg);
if (uri.protocol !== 'grpc:' && uri.protocol !== 'grpc+tcp:') throw new Error(`only plain grpc:// here, not ${uri.protocol}`);
const target = uri.host;   // host:port

// --- gRPC plumbing -------------------------------------------------------------------------
const here = dirname(fileURLToPath(import.meta.url));
const packageDefinition = protoLoader.loadSync(join(here, 'proto', 'Flight.proto'), {
  keepCase: true, longs: String, enums: String, defaults: true, oneofs: true,
});
// Keep the size of each DoGet message as it came off the wire (the serialized FlightData): that
// is what grpc's receive limit is measured against.
const service = packageDefinition['arrow.flight.protocol.FlightService'];
const wireSizes = [];
const decodeFlightData = service.DoGet.responseDeserialize;
service.DoGet.responseDeserialize = (buffer) => { wireSizes.push(buffer.length); return decodeFlightData(buffer); };
const proto = grpc.loadPackageDefinition(packageDefinition).arrow.flight.protocol;
const client = new proto.FlightService(target, grpc.credentials.createInsecure());   // default options
const metadata = () => { const m = new grpc.Metadata(); m.set('authorization', `Bearer ${token}`); return m; };

const statusName = (code) => Object.keys(grpc.status).find((k) => grpc.status[k] === code) ?? String(code);
const describeError = (e) => {
  const trailers = {};
  if (e.metadata) for (const [k, v] of Object.entries(e.metadata.getMap())) trailers[k] = Buffer.isBuffer(v) ? v.toString('base64') : v;
  let target = null;
  if (trailers['clusterstate-error-target'] !== undefined) {
    try { target = JSON.parse(decodeURIComponent(trailers['clusterstate-error-target'])); } catch { target = 'undecodable'; }
  }
  return { code: e.code, codeName: statusName(e.code), message: e.details ?? e.message, errorId: trailers['clusterstate-error-id'] ?? null, trailers, target };
};

const collect = (call) => new Promise((resolve, reject) => {
  const items = [];
  call.on('data', (d) => items.push(d));
  call.on('error', reject);
  call.on('end', () => resolve(items));
});
const listFlights = () => collect(client.ListFlights({ expression: Buffer.alloc(0) }, metadata()));
const doAction = (type, body) => collect(client.DoAction({ type, body: Buffer.from(body === undefined ? '' : JSON.stringify(body)) }, metadata()))
  .then((results) => results.map((r) => JSON.parse(r.body.toString('utf8') || 'null')));

// --- DoGet: FlightData -> Arrow IPC stream bytes ---------------------------------------------
// Each FlightData carries one IPC message: data_header is the Message flatbuffer, data_body its
// body. The IPC stream framing is 0xFFFFFFFF, int32 length of the (8-padded) metadata, the
// metadata, then the body; the stream ends with 0xFFFFFFFF 00000000.
const pad8 = (n) => (n + 7) & ~7;
function frame(header, body) {
  const metaLength = pad8(header.length);
  const bodyLength = pad8(body.length);
  const out = Buffer.alloc(8 + metaLength + bodyLength);
  out.writeUInt32LE(0xFFFFFFFF, 0);
  out.writeInt32LE(metaLength, 4);
  header.copy(out, 8);
  body.copy(out, 8 + metaLength);
  return out;
}

async function doGet(ticketBytes) {
  wireSizes.length = 0;
  const messages = await collect(client.DoGet({ ticket: ticketBytes }, metadata()));
  const parts = [];
  const chunks = [];   // one per record batch message
  let schemaMessages = 0, dictionaryMessages = 0;
  messages.forEach((fd, i) => {
    const header = fd.data_header ?? Buffer.alloc(0);
    const body = fd.data_body ?? Buffer.alloc(0);
    if (header.length === 0) return;   // e.g. app_metadata only
    const message = Message.decode(header);
    if (message.bodyLength > body.length) throw new Error(`message ${i}: body of ${body.length} bytes, header says ${message.bodyLength}`);
    if (message.headerType === MessageHeader.Schema) schemaMessages++;
    else if (message.headerType === MessageHeader.DictionaryBatch) dictionaryMessages++;
    else if (message.headerType === MessageHeader.RecordBatch) {
      chunks.push({ rows: Number(message.header().length), bytes: wireSizes[i], headerBytes: header.length, bodyBytes: body.length });
    }
    parts.push(frame(header, body));
  });
  parts.push(Buffer.from([0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]));
  const reader = RecordBatchReader.from(Buffer.concat(parts)).open();
  const schema = reader.schema;   // read before iterating: the reader lets go of it when done
  let rows = 0;
  const batches = [];
  for (const batch of reader) { rows += batch.numRows; batches.push(batch); }
  return { messages: messages.length, schemaMessages, dictionaryMessages, chunks, rows, batches, schema };
}

const step = async (fn) => { try { return await fn(); } catch (e) { return { error: e.code !== undefined ? describeError(e) : { message: String(e.stack ?? e) } }; } };
const result = {};

// (1) ListFlights: every flight, its name (descriptor path) and total_records.
result.flights = await step(async () => (await listFlights()).map((info) => ({
  name: (info.flight_descriptor?.path ?? []).join('/'),
  totalRecords: Number(info.total_records),
  tickets: (info.endpoint ?? []).map((e) => e.ticket.ticket.toString('utf8')),
})));

// The generation before anything is written (describe, as Get-ClusterMetadata reports it).
result.generationBefore = await step(async () => (await doAction('describe'))[0].Generation);

// (2) DoGet every chunk of tasks, by the ticket ListFlights gave (descriptor path = ticket).
const tasksTicket = Array.isArray(result.flights) ? (result.flights.find((f) => f.name === 'tasks')?.tickets[0] ?? 'tasks') : 'tasks';
let ids = [];
result.tasks = await step(async () => {
  const got = await doGet(Buffer.from(tasksTicket, 'utf8'));
  for (const batch of got.batches) for (const id of batch.getChild('id')) ids.push(id);
  return {
    ticket: tasksTicket, messages: got.messages, schemaMessages: got.schemaMessages, dictionaryMessages: got.dictionaryMessages,
    rows: got.rows, generation: got.schema.metadata.get('generation') ?? null,
    chunks: got.chunks, maxChunkBytes: Math.max(0, ...got.chunks.map((c) => c.bytes)), ids,
  };
});

// (3) A filtered ticket: the JSON form with a query (FORMAT.md: {"flight": "tasks", "query": {...}}).
let pendingIds = [];
result.filtered = await step(async () => {
  const ticket = { flight: 'tasks', query: { Status: ['pending'] } };
  const got = await doGet(Buffer.from(JSON.stringify(ticket), 'utf8'));
  const statuses = new Set();
  for (const batch of got.batches) {
    for (const id of batch.getChild('id')) pendingIds.push(id);
    for (const s of batch.getChild('status')) statuses.add(String(s));
  }
  return { ticket, rows: got.rows, statuses: [...statuses], chunks: got.chunks.length, maxChunkBytes: Math.max(0, ...got.chunks.map((c) => c.bytes)) };
});

// (4) A refused commit: add a task whose id exists. Expected: ALREADY_EXISTS, "DuplicateId" first
// in the message and in the clusterstate-error-id trailer, nothing committed.
const existingId = ids[0] ?? pendingIds[0];
result.refusedCommit = await step(async () => {
  if (!existingId) throw new Error('no task id was read, so no duplicate can be built');
  const changeSet = { AddTasks: [{ Id: existingId, Type: 'inference', CpuCores: 1, MemoryMB: 512 }] };
  const answer = await doAction('commit', changeSet);
  return { changeSet, unexpectedlyCommitted: answer };
});
if (result.refusedCommit.error) result.refusedCommit = { duplicateId: existingId, ...result.refusedCommit.error };
result.generationAfter = await step(async () => (await doAction('describe'))[0].Generation);

// (5) An unknown field in a ticket's query: expected INVALID_ARGUMENT naming the field.
result.unknownField = await step(async () => {
  const ticket = { flight: 'tasks', query: { Stauts: ['pending'] } };
  const got = await doGet(Buffer.from(JSON.stringify(ticket), 'utf8'));
  return { ticket, accepted: true, rows: got.rows };
});
if (result.unknownField.error) result.unknownField = result.unknownField.error;

client.close();
process.stdout.write(JSON.stringify(result) + '\n');
