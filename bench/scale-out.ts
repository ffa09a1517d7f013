/**
 * Scale-out cost and gain, one run on this machine: native generateContent through the service
 * (a separate process) with the embedded store, with the Redis store (a real redis-server on a free
 * loopback port), and with WORKERS=2 (embedded). Same mock, same load generator, loopback only.
 * CPU per request is the service's own (primary and workers, from /proc), the figure least moved by
 * other load on a shared machine. Usage: node bench/scale-out.ts [seconds-per-cell]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { MemoryKeyStateStore } from '../src/store/memory-key-state-store.ts';
import { RedisKeyStateStore } from '../src/store/redis-key-state-store.ts';
import { RedisLink } from '../src/store/redis-link.ts';
import { RedisServer } from '../test/helpers/redis-server.ts';
import { MockGemini } from '../test/mock-upstream/mock-gemini.ts';
import { benchToken, machineLine, runLoad, startServiceProcess } from './harness.ts';

const seconds = Number(process.argv[2] ?? 3);

/** CPU seconds (user + system) used so far by a process and its children (the cluster workers). */
function cpuSeconds(pid: number): number {
  const own = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  // Fields 14 and 15 of /proc/<pid>/stat (utime, stime) are 12 and 13 after the command name.
  let ticks = Number(own[11] ?? 0) + Number(own[12] ?? 0);
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
    for (const child of children === '' ? [] : children.split(' ')) ticks += cpuSeconds(Number(child)) * 100;
  }
  return ticks / 100;
}
const path = '/v1beta/models/gemini-2.5-flash:generateContent';
const body = '{"contents":[{"role":"user","parts":[{"text":"Why is the sky blue?"}]}]}';

const mock = await MockGemini.start();
const trim = setInterval(() => {
  mock.received.length = 0;
}, 500);
const redis = await RedisServer.start();
const base = {
  GEMINI_API_KEYS: 'gbBENCHkey-0000000000000000000000001,gbBENCHkey-0000000000000000000000002',
  GEMINI_BASE_URL: mock.url,
  ALLOWED_TOKENS: benchToken,
};
const setups = [
  { name: 'embedded (SQLite), 1 worker', env: base },
  { name: 'Redis store, 1 worker', env: { ...base, REDIS_URL: redis.url } },
  { name: 'embedded, WORKERS=2', env: { ...base, WORKERS: '2' } },
];

const rounds = 3;
console.log(`Machine: ${machineLine()}; ${seconds} s per cell, ${rounds} interleaved rounds, medians\n`);
console.log('| setup | conns | req/s | p50 / p99 ms | service CPU µs / request | errors |');
console.log('|---|---:|---:|---:|---:|---:|');
const services = [];
type Cell = { rate: number; p50: number; p99: number; cpu: number; errors: number };
const cells = new Map<string, Cell[]>();
try {
  // All three run side by side (idle when not measured); the rounds interleave them, so a change
  // in the machine's load (it is shared) touches every setup alike.
  for (const setup of setups) services.push({ setup, service: await startServiceProcess(setup.env) });
  for (let round = 0; round < rounds; round++) {
    for (const { setup, service } of services) {
      for (const connections of [16, 64]) {
        const common = {
          origin: service.origin,
          path,
          body,
          connections,
          headers: { 'x-goog-api-key': benchToken },
        };
        await runLoad({ ...common, seconds: 0.5 }); // warm-up
        const pid = service.child.pid ?? 0;
        const cpuBefore = cpuSeconds(pid);
        const result = await runLoad({ ...common, seconds });
        const cpu = ((cpuSeconds(pid) - cpuBefore) / result.requests) * 1e6;
        const name = `${setup.name} | ${connections}`;
        cells.set(name, [
          ...(cells.get(name) ?? []),
          {
            rate: result.requests / result.seconds,
            p50: result.p50,
            p99: result.p99,
            cpu,
            errors: result.errors,
          },
        ]);
      }
    }
  }
  const median = (values: number[]) =>
    values.toSorted((left, right) => left - right)[Math.floor(values.length / 2)] ?? 0;
  for (const [name, results] of cells) {
    const of = (pick: (cell: Cell) => number) => median(results.map(pick));
    const errors = results.reduce((sum, cell) => sum + cell.errors, 0);
    console.log(
      `| ${name} | ${of((cell) => cell.rate).toFixed(0)} | ${of((cell) => cell.p50).toFixed(2)} / ${of((cell) => cell.p99).toFixed(2)} | ${of((cell) => cell.cpu).toFixed(0)} | ${errors} |`,
    );
  }
  console.log(
    `\nPropagation through Redis (one instance writes a cooldown, another hears it): ${await propagation(200)}`,
  );
} finally {
  for (const { service } of services) await service.stop();
  clearInterval(trim);
  await redis.stop();
  await mock.close();
}

/** Median and p99 ms from one store's cooldown write to another store's listener, `count` times. */
async function propagation(count: number): Promise<string> {
  const links = [0, 1].map(() => new RedisLink({ url: redis.url, prefix: 'bench:' }));
  await Promise.all(links.map((link) => link.connect()));
  const [writer, reader] = await Promise.all(
    links.map((link) => RedisKeyStateStore.open(link, new MemoryKeyStateStore())),
  );
  const delays: number[] = [];
  let onHeard = () => {};
  reader?.onChange(() => onHeard());
  try {
    for (let index = 0; index < count; index++) {
      const heard = new Promise<void>((resolve) => {
        onHeard = resolve;
      });
      const start = performance.now();
      writer?.saveCooldown(`key_${index}`, 'pro', Date.now() + 60_000);
      await heard;
      delays.push(performance.now() - start);
    }
  } finally {
    for (const link of links) await link.close();
  }
  delays.sort((left, right) => left - right);
  const at = (share: number) => (delays[Math.floor(delays.length * share)] ?? 0).toFixed(2);
  return `median ${at(0.5)} ms, p99 ${at(0.99)} ms over ${count}`;
}
