/**
 * The CPU cost of one request record, measured in-process as process CPU time (steady even on a
 * busy machine, where wall-clock time includes waiting for a core): building
 * the record from a request summary, counting it in the metrics, queueing it, and its share of the
 * batched SQLite write (an on-disk database in WAL mode, as the service runs it).
 * Usage: node bench/record-cost.ts [records]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RequestRecorder } from '../src/admin/request-recorder.ts';
import { toRequestRecord } from '../src/admin/to-request-record.ts';
import type { RequestSummary } from '../src/dispatch/request-summary.ts';
import { ServiceMetrics } from '../src/metrics/service-metrics.ts';
import { openDatabase } from '../src/store/database.ts';
import { SqliteRequestRecordStore } from '../src/store/sqlite-request-record-store.ts';
import { machineLine } from './harness.ts';

const count = Number(process.argv[2] ?? 200_000);
const database = openDatabase(join(mkdtempSync(join(tmpdir(), 'gb-record-cost-')), 'records.db'));
const store = new SqliteRequestRecordStore(database);
const recorder = new RequestRecorder({
  store,
  retention: { days: 30, rows: 10_000_000 },
  flushIntervalMs: 250,
  maxBatch: 1000,
  onError: (error) => {
    throw error;
  },
});
const metrics = new ServiceMetrics(() => ({ active: 2, cooling: 0, disabled: 0 }));
const summary = (index: number): RequestSummary => ({
  method: 'POST',
  route: '/v1beta/*',
  path: '/v1beta/models/gemini-2.5-flash:generateContent',
  surface: 'native',
  model: index % 3 === 0 ? 'gemini-2.5-pro' : 'gemini-2.5-flash',
  requestedModel: undefined,
  status: index % 10 === 0 ? 429 : 200,
  keyFingerprint: `key_${(index % 50).toString(16).padStart(12, '0')}`,
  attempts: [
    { keyFingerprint: `key_${(index % 50).toString(16).padStart(12, '0')}`, outcome: 'ok', status: 200 },
  ],
  tokens: { prompt: 7, candidates: 22, thoughts: 0, cached: undefined, total: 29 },
  stream: index % 2 === 0,
  firstByteMs: 120.5,
  latencyMs: 480.25,
});

const summaries = Array.from({ length: count }, (_, index) => summary(index));
const extras = { startedAt: Date.now(), client: 'alice', error: undefined };
const started = performance.now();
const cpuStart = process.cpuUsage();
for (const [index, entry] of summaries.entries()) {
  const record = toRequestRecord(entry, extras);
  recorder.add(record);
  metrics.observe(record);
  // Batches are written as the service writes them: on a later turn, so let the event loop run.
  if (index % 1000 === 999) await new Promise((resolve) => setImmediate(resolve));
}
recorder.close();
const elapsedMs = performance.now() - started;
const cpu = process.cpuUsage(cpuStart);
const cpuMs = (cpu.user + cpu.system) / 1000;
console.log(`Machine: ${machineLine()}`);
console.log(
  `${count} records: ${((cpuMs * 1000) / count).toFixed(2)} µs of CPU each (${((elapsedMs * 1000) / count).toFixed(2)} µs wall clock): build, metrics, queue, batched SQLite write; ${store.count()} rows written`,
);
database.close();
