/**
 * Cost of a key pick as the pool grows: it must stay flat (O(1) amortised).
 * Each pool has 10% disabled keys, 20% cooling for the benchmarked model and 5% backing off.
 *   steady: acquire only.
 *   churn:  acquire + report, with a quota every 50th pick and a transient every 200th,
 *           a moving clock so cooldowns and back-offs keep expiring and re-admitting keys.
 * Run: node bench/pool-pick.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyPool } from '../src/pool/key-pool.ts';
import type { Outcome } from '../src/pool/outcome.ts';
import { openDatabase } from '../src/store/database.ts';
import type { KeyStateStore } from '../src/store/key-state-store.ts';
import { MemoryKeyStateStore } from '../src/store/memory-key-state-store.ts';
import { SqliteKeyStateStore } from '../src/store/sqlite-key-state-store.ts';

const model = 'gemini-2.5-flash';
const picks = 1_000_000;
const clock = { now: Date.parse('2026-01-15T12:00:00Z') };

function buildPool(size: number, store: KeyStateStore): KeyPool {
  const keys = Array.from({ length: size }, (_, index) => `AIzaSyBENCH-${index}-${'x'.repeat(20)}`);
  const pool = new KeyPool({
    keys,
    store,
    now: () => clock.now,
    transientBackoff: { baseMs: 1000, maxMs: 30_000 },
  });
  pool.acquire(model); // Builds the model's lane before the measurement.
  pool.list().forEach((view, index) => {
    const share = index % 20;
    if (share < 2) pool.report(view.id, model, { kind: 'invalid', reason: 'API_KEY_INVALID' });
    else if (share < 6)
      pool.report(view.id, model, { kind: 'quota', retryAfterMs: 3_600_000, perDay: false });
    else if (share === 6) pool.report(view.id, model, { kind: 'transient' });
  });
  return pool;
}

function nanosecondsPerPick(pool: KeyPool, churn: boolean): number {
  const quota: Outcome = { kind: 'quota', retryAfterMs: 2_000, perDay: false };
  const transient: Outcome = { kind: 'transient' };
  const ok: Outcome = { kind: 'ok' };
  const start = process.hrtime.bigint();
  for (let pick = 0; pick < picks; pick++) {
    const result = pool.acquire(model);
    if (!churn || result.kind !== 'lease') continue;
    clock.now += 1;
    pool.report(result.id, model, pick % 50 === 0 ? quota : pick % 200 === 1 ? transient : ok);
  }
  return Number(process.hrtime.bigint() - start) / picks;
}

function measure(size: number, store: KeyStateStore): [number, number, number] {
  const setupStart = performance.now();
  const pool = buildPool(size, store);
  const setupMs = performance.now() - setupStart;
  nanosecondsPerPick(pool, false); // Warm-up for the JIT.
  return [setupMs, nanosecondsPerPick(pool, false), nanosecondsPerPick(pool, true)];
}

const directory = mkdtempSync(join(tmpdir(), 'pool-bench-'));
const rows: string[][] = [];
for (const size of [10, 1_000, 100_000]) {
  const [setupMs, steady, churn] = measure(size, new MemoryKeyStateStore());
  const database = openDatabase(join(directory, `bench-${size}.db`));
  const sqliteStore = new SqliteKeyStateStore(database);
  const [, , churnSqlite] = measure(size, sqliteStore);
  sqliteStore.close();
  database.close();
  rows.push([
    size.toLocaleString('en-US'),
    setupMs.toFixed(0),
    steady.toFixed(0),
    churn.toFixed(0),
    churnSqlite.toFixed(0),
  ]);
}
rmSync(directory, { recursive: true, force: true });

const header = ['keys', 'setup ms', 'ns/pick steady', 'ns/pick+report churn (memory)', 'same, SQLite store'];
const widths = header.map((title, column) =>
  Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
);
const line = (cells: string[]): string =>
  cells.map((cell, column) => cell.padStart(widths[column] ?? 0)).join(' | ');
console.log(`node ${process.version}, ${picks.toLocaleString('en-US')} picks per cell`);
console.log(line(header));
console.log(widths.map((width) => '-'.repeat(width)).join('-|-'));
for (const row of rows) console.log(line(row));
