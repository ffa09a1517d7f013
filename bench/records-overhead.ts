/**
 * What request records, metrics and `info` logging cost on the native pass-through: two service
 * processes against one mock, one with records + metrics + info logging on, one with all three off
 * (and a third with the info log line only, to split the cost),
 * measured in interleaved rounds (on, off, on, off…) so both see the same machine. Medians of the
 * rounds. On a shared machine throughput is noisy; the service's own CPU time per request (user +
 * system, from /proc) is the steadier measure of what records and logging cost. Prints a
 * markdown table, then how many records the "on" service wrote.
 * Usage: node bench/records-overhead.ts [seconds-per-cell] [rounds]
 */
import { readFileSync } from 'node:fs';
import { fixtureBytes, splitSseEvents } from '../test/mock-upstream/fixtures.ts';
import { MockGemini } from '../test/mock-upstream/mock-gemini.ts';
import { benchToken, machineLine, runLoad, type ServiceProcess, startServiceProcess } from './harness.ts';

const seconds = Number(process.argv[2] ?? 3);
const rounds = Number(process.argv[3] ?? 3);
const body = '{"contents":[{"role":"user","parts":[{"text":"Why is the sky blue?"}]}]}';
const adminToken = 'bench-admin-token';

const events = splitSseEvents(fixtureBytes('stream-alt-sse.txt'));
const mock = await MockGemini.start();
mock.override = (request, response) => {
  if (!request.url.includes('bench-sse-10')) return false;
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  for (let index = 0; index < 10; index++) response.write(events[Math.min(index, events.length - 1)] ?? '');
  response.end();
  return true;
};
const trim = setInterval(() => {
  mock.received.length = 0;
}, 500);
const common = {
  GEMINI_API_KEYS: 'gbBENCHkey-0000000000000000000000001,gbBENCHkey-0000000000000000000000002',
  GEMINI_BASE_URL: mock.url,
  ALLOWED_TOKENS: benchToken,
  ADMIN_TOKEN: adminToken,
};
const services = {
  on: await startServiceProcess({
    ...common,
    RECORDS_ENABLED: 'true',
    METRICS_ENABLED: 'true',
    LOG_LEVEL: 'info',
  }),
  off: await startServiceProcess({
    ...common,
    RECORDS_ENABLED: 'false',
    METRICS_ENABLED: 'false',
    LOG_LEVEL: 'warn',
  }),
  /** The info summary line alone: how the cost splits between logging and records. */
  logs: await startServiceProcess({
    ...common,
    RECORDS_ENABLED: 'false',
    METRICS_ENABLED: 'false',
    LOG_LEVEL: 'info',
  }),
};
type Mode = keyof typeof services;

const scenarios = [
  { name: 'generateContent', path: '/v1beta/models/gemini-2.5-flash:generateContent' },
  { name: 'alt=sse, 10 events', path: '/v1beta/models/bench-sse-10:streamGenerateContent?alt=sse' },
];
/** CPU time (user + system) the process has used so far, in ms (clock ticks of 10 ms). */
function cpuMs(service: ServiceProcess): number {
  const fields = readFileSync(`/proc/${service.child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) * 10;
}
const median = (values: number[]) =>
  values.toSorted((left, right) => left - right)[Math.floor(values.length / 2)] ?? 0;
let sent = 0;
type Cell = { rate: number; p50: number; p99: number; cpu: number };

console.log(`Machine: ${machineLine()}; ${seconds} s per cell, ${rounds} interleaved rounds, medians\n`);
console.log(
  '| scenario | conns | off req/s | on req/s | change | off p50 ms | on p50 ms | off p99 ms | on p99 ms | CPU µs/req: off | info log only | on |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const scenario of scenarios) {
  for (const connections of [1, 16]) {
    const results: Record<Mode, Cell[]> = { on: [], off: [], logs: [] };
    for (let round = 0; round < rounds; round++) {
      const order: Mode[] = round % 2 === 0 ? ['on', 'logs', 'off'] : ['off', 'logs', 'on'];
      for (const mode of order) {
        const load = {
          path: scenario.path,
          body,
          connections,
          origin: services[mode].origin,
          headers: { 'x-goog-api-key': benchToken },
        };
        await runLoad({ ...load, seconds: 0.5 });
        const cpuBefore = cpuMs(services[mode]);
        const result = await runLoad({ ...load, seconds });
        const cpu = ((cpuMs(services[mode]) - cpuBefore) * 1000) / Math.max(1, result.requests);
        if (result.errors > 0) console.error(`${mode}: ${result.errors} errors`);
        if (mode === 'on') sent += result.requests;
        results[mode].push({ rate: result.requests / result.seconds, p50: result.p50, p99: result.p99, cpu });
      }
    }
    const pick = (mode: Mode, field: keyof Cell) => median(results[mode].map((entry) => entry[field]));
    const change = ((pick('on', 'rate') / pick('off', 'rate') - 1) * 100).toFixed(1);
    const cells = [
      pick('off', 'rate').toFixed(0),
      pick('on', 'rate').toFixed(0),
      `${change} %`,
      ...(['p50', 'p99'] as const).flatMap((field) => [
        pick('off', field).toFixed(2),
        pick('on', field).toFixed(2),
      ]),
      pick('off', 'cpu').toFixed(0),
      pick('logs', 'cpu').toFixed(0),
      pick('on', 'cpu').toFixed(0),
    ];
    console.log(`| ${scenario.name} | ${connections} | ${cells.join(' | ')} |`);
  }
}
// Warm-ups count too: every request the "on" service answered should be a record.
const overview = (await (
  await fetch(`${services.on.origin}/admin/api/overview`, {
    headers: { authorization: `Bearer ${adminToken}` },
  })
).json()) as { last24h: { requests: number } | null };
console.log(
  `\n"on" service: ${overview.last24h?.requests ?? 0} records written (${sent} measured requests plus warm-ups)`,
);
clearInterval(trim);
await services.on.stop();
await services.off.stop();
await services.logs.stop();
await mock.close();
