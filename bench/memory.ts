/**
 * `npm run bench:memory`: where the service's resident memory goes. For each variant of node flags
 * (BENCH_MEMORY_FLAGS, `;`-separated, default the launcher's own), a fresh service started as
 * `npm start` runs it (second start: the compile cache is warm) and measured: idle RSS 1.5 s after
 * start split into file-backed pages (the node binary) and anonymous ones (V8 heap, malloc), then the
 * high-water mark after each load phase of `npm run bench` (64 connections of generateContent, 100
 * streams 20 ms apart, 1,000 streams 200 ms apart, then a mixed load of native and OpenAI calls, plain
 * and streamed, 16 connections each) and the CPU per request of the 64-connection and mixed cells.
 * Variants are interleaved over BENCH_REPEATS rounds (default 3), medians. Loopback only.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { streamLoad, wrk } from './load.ts';
import { cpuSeconds, peakRssMiB, rssMiB } from './processes.ts';
import { benchToken, startCommand, startMock, startServiceTarget, type Target } from './targets.ts';

const repeats = Number(process.env.BENCH_REPEATS ?? 3);
const variants = (process.env.BENCH_MEMORY_FLAGS ?? startCommand().flags.join(' '))
  .split(';')
  .map((flags) => flags.trim());
const native = { 'x-goog-api-key': benchToken };
const generate = {
  path: '/v1beta/models/gemini-2.5-flash:generateContent',
  body: '{"contents":[{"role":"user","parts":[{"text":"Why is the sky blue?"}]}]}',
  headers: native,
};
const chat = (stream: boolean) => ({
  path: '/v1/chat/completions',
  body: JSON.stringify({ model: 'gemini-2.5-flash', stream, messages: [{ role: 'user', content: 'hi' }] }),
  headers: { authorization: `Bearer ${benchToken}` },
});
/** Native generateContent and alt=sse, OpenAI chat completions plain and streamed: 16 connections each. */
const mixedLoad = [
  generate,
  { ...generate, path: '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse' },
  chat(false),
  chat(true),
];
const paced = (gapMs: number) => `/v1beta/models/bench-paced-${gapMs}:streamGenerateContent?alt=sse`;

/** Resident pages of the process by kind, MiB, from /proc/<pid>/smaps_rollup. */
function residentSplit(pid: number): { file: number; anonymous: number } {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const field = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? 0) / 1024;
  return { file: field('Rss') - field('Anonymous'), anonymous: field('Anonymous') };
}

type Row = Record<string, number>;

/** A service started with these flags; `NAME=value` words are environment variables (MALLOC_ARENA_MAX=2). */
function startVariant(flags: string, upstream: string): Promise<Target> {
  const words = flags.split(/\s+/).filter(Boolean);
  const isVariable = (word: string) => /^[A-Z_]+=/.test(word);
  const env = Object.fromEntries(
    words
      .filter(isVariable)
      .map((word) => [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)]),
  );
  // Node rejects a compile cache written under other V8 flags: each variant keeps its own.
  const cache = join(
    'node_modules',
    '.cache',
    `node-compile-${createHash('sha256').update(flags).digest('hex').slice(0, 8)}`,
  );
  return startServiceTarget(
    'service',
    upstream,
    { ...env, NODE_COMPILE_CACHE: cache },
    words.filter((word) => !isVariable(word)),
  );
}

async function measure(flags: string, upstream: string): Promise<Row> {
  const service = await startVariant(flags, upstream);
  const pids = service.pids();
  try {
    const split = residentSplit(pids[0] ?? 0);
    const row: Row = {
      idle: service.idleRssMiB,
      'idle, file-backed': split.file,
      'idle, anonymous': split.anonymous,
    };
    const before = cpuSeconds(pids);
    const result = await wrk({ origin: service.origin, ...generate }, 64, 3);
    row['generate 64: CPU µs/request'] = ((cpuSeconds(pids) - before) * 1e6) / Math.max(1, result.requests);
    row['peak after generate 64'] = peakRssMiB(pids);
    await streamLoad({ origin: service.origin, path: paced(20), headers: native }, 100, 3);
    row['peak after 100 streams'] = peakRssMiB(pids);
    await streamLoad({ origin: service.origin, path: paced(200), headers: native }, 1000, 5);
    row['peak after 1,000 streams'] = peakRssMiB(pids);
    // The young generation's size matters most where answers are translated (more objects per
    // request): native and OpenAI calls, plain and streamed, at once.
    // Its first second loads the OpenAI handlers and warms them up: not measured.
    await Promise.all(mixedLoad.map((request) => wrk({ origin: service.origin, ...request }, 16, 1)));
    const mixedBefore = cpuSeconds(pids);
    const mixed = await Promise.all(
      mixedLoad.map((request) => wrk({ origin: service.origin, ...request }, 16, 4)),
    );
    const mixedRequests = mixed.reduce((sum, cell) => sum + cell.requests, 0);
    row['mixed 4×16: CPU µs/request'] = ((cpuSeconds(pids) - mixedBefore) * 1e6) / Math.max(1, mixedRequests);
    row['peak after mixed'] = peakRssMiB(pids);
    row['RSS at the end'] = rssMiB(pids);
    return row;
  } finally {
    await service.stop();
  }
}

const mock = await startMock();
const rows = new Map<string, Row[]>(variants.map((flags) => [flags, []]));
try {
  // Fills each compile cache, so every measured start is a second start.
  for (const flags of variants) await (await startVariant(flags, mock.origin)).stop();
  for (let repeat = 1; repeat <= repeats; repeat++) {
    for (const flags of variants) {
      const row = await measure(flags, mock.origin);
      rows.get(flags)?.push(row);
      console.error(
        `round ${repeat}, ${flags || '(no flags)'}: ${JSON.stringify(row, (_key, value) => (typeof value === 'number' ? Math.round(value) : value))}`,
      );
    }
  }
} finally {
  await mock.stop();
}

const median = (values: number[]) =>
  [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)] ?? 0;
const metrics = Object.keys(rows.get(variants[0] ?? '')?.[0] ?? {});
const lines = [
  `| MiB (medians of ${repeats}) | ${variants.map((flags) => `\`${flags || '(no flags)'}\``).join(' | ')} |`,
  `|---|${variants.map(() => '---:').join('|')}|`,
  ...metrics.map(
    (metric) =>
      `| ${metric} | ${variants.map((flags) => median((rows.get(flags) ?? []).map((row) => row[metric] ?? 0)).toFixed(0)).join(' | ')} |`,
  ),
];
console.log(lines.join('\n'));
