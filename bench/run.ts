/**
 * `npm run bench`: the native pass-through, streams, the OpenAI surface and logging, measured in one
 * go against four targets (straight to the mock, a bare Node pass-through, the service, nginx when
 * installed), interleaved cell by cell, BENCH_REPEATS times (default 3), medians reported. The
 * service runs as `npm start` runs it, pinned to core 1; the mock and the load generators share
 * core 0. Writes the tables into docs/BENCHMARKS.md. Loopback only; bounded to a few minutes.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { type LoadRequest, streamLoad, wrk } from './load.ts';
import { cpuSeconds, peakRssMiB, pinning, withRssSampling } from './processes.ts';
import { loggingOff, loggingOn, renderReport, type Samples } from './report.ts';
import {
  benchToken,
  startBare,
  startCommand,
  startMock,
  startNginx,
  startServiceTarget,
  type Target,
} from './targets.ts';

const repeats = Number(process.env.BENCH_REPEATS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 2);
const nativeBody = '{"contents":[{"role":"user","parts":[{"text":"Why is the sky blue?"}]}]}';
// The mock streams `bench-sse-10` whatever the method: a plain completion asks for a model it answers plainly.
const chatBody = (stream: boolean) =>
  JSON.stringify({
    model: stream ? 'bench-sse-10' : 'gemini-2.5-flash',
    stream,
    messages: [{ role: 'user', content: 'Why is the sky blue?' }],
  });
const generate = '/v1beta/models/gemini-2.5-flash:generateContent';
const sseTen = '/v1beta/models/bench-sse-10:streamGenerateContent?alt=sse';
const paced = (gapMs: number) => `/v1beta/models/bench-paced-${gapMs}:streamGenerateContent?alt=sse`;
const native = { 'x-goog-api-key': benchToken };

const samples: Samples = new Map();
function add(cell: string, target: string, metric: string, value: number): void {
  const key = `${cell}|${target}|${metric}`;
  samples.set(key, [...(samples.get(key) ?? []), value]);
}

async function requestCell(
  cell: string,
  target: Target,
  request: Omit<LoadRequest, 'origin'>,
  connections: number,
) {
  const before = cpuSeconds(target.pids());
  const result = await wrk({ ...request, origin: target.origin }, connections, seconds);
  const cpu = cpuSeconds(target.pids()) - before;
  if (result.errors > 0) console.error(`${cell} ${target.name}: ${result.errorLines.trim()}`);
  add(cell, target.name, 'perSecond', result.perSecond);
  add(cell, target.name, 'p50', result.p50);
  add(cell, target.name, 'p99', result.p99);
  add(cell, target.name, 'cpuMicros', (cpu * 1e6) / Math.max(1, result.requests));
}

async function streamCell(cell: string, target: Target, streams: number, gapMs: number, cellSeconds: number) {
  const before = cpuSeconds(target.pids());
  const [result, peak] = await withRssSampling(target.pids(), () =>
    streamLoad({ origin: target.origin, path: paced(gapMs), headers: native }, streams, cellSeconds),
  );
  if (result.errors > 0) console.error(`${cell} ${target.name}: ${result.errors} errors`);
  add(cell, target.name, 'streamsPerSecond', result.streamsPerSecond);
  add(cell, target.name, 'firstByteP50', result.firstByteP50);
  add(cell, target.name, 'firstByteP99', result.firstByteP99);
  add(cell, target.name, 'wholeP50', result.wholeP50);
  add(cell, target.name, 'peakRss', peak);
  add(
    cell,
    target.name,
    'cpuMicros',
    ((cpuSeconds(target.pids()) - before) * 1e6) / Math.max(1, result.completed),
  );
}

const started = Date.now();
const mock = await startMock();
// One start of each first fills the compile cache `npm start` uses, so idle memory is that of a
// second start (the type stripper is not loaded then), as in any deployment after its first start.
for (const warmUp of [await startBare(mock.origin), await startServiceTarget('warm-up', mock.origin)])
  await warmUp.stop();
const targets: Target[] = [mock, await startBare(mock.origin)];
// The service with its defaults (request records and metrics on), `warn` logging.
const service = await startServiceTarget('service', mock.origin);
targets.push(service);
const nginx = await startNginx(mock.origin);
if (nginx !== undefined) targets.push(nginx);
// Records, metrics and `info` logging all on, versus all off.
const allOn = { RECORDS_ENABLED: 'true', METRICS_ENABLED: 'true', LOG_LEVEL: 'info' };
const allOff = { RECORDS_ENABLED: 'false', METRICS_ENABLED: 'false', LOG_LEVEL: 'warn' };
const logging = await startServiceTarget(loggingOn, mock.origin, allOn);
const quiet = await startServiceTarget(loggingOff, mock.origin, allOff);
console.log(`targets: ${targets.map((target) => target.name).join(', ')}; ${pinning}; ${repeats} repeats`);

try {
  for (const target of [...targets, logging, quiet]) {
    await wrk({ origin: target.origin, path: generate, body: nativeBody, headers: native }, 16, 2);
  }
  for (let repeat = 1; repeat <= repeats; repeat++) {
    console.log(`repeat ${repeat}/${repeats} (${Math.round((Date.now() - started) / 1000)} s)`);
    for (const connections of [1, 16, 64]) {
      for (const target of targets) {
        const request = { path: generate, body: nativeBody, headers: native };
        await requestCell(`generate ${connections}`, target, request, connections);
      }
    }
    for (const target of targets) await streamCell('streams 100', target, 100, 20, 3);
    for (const target of targets) await streamCell('streams 1000', target, 1000, 200, 5);
    const surfaces = [
      [
        'openai plain',
        {
          path: '/v1/chat/completions',
          body: chatBody(false),
          headers: { authorization: `Bearer ${benchToken}` },
        },
      ],
      [
        'openai streamed',
        {
          path: '/v1/chat/completions',
          body: chatBody(true),
          headers: { authorization: `Bearer ${benchToken}` },
        },
      ],
      ['native streamed', { path: sseTen, body: nativeBody, headers: native }],
    ] as const;
    for (const [cell, request] of surfaces) await requestCell(cell, service, request, 16);
    for (const target of [quiet, logging]) {
      await requestCell('logging 64', target, { path: generate, body: nativeBody, headers: native }, 64);
    }
  }
  for (const target of [...targets, logging, quiet]) {
    add('memory', target.name, 'idle', target.idleRssMiB);
    add('memory', target.name, 'peak', peakRssMiB(target.pids()));
  }
} finally {
  for (const target of [quiet, logging, ...targets].reverse()) await target.stop();
}

const report = renderReport(samples, {
  machine: `${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
  setup: `${pinning}: service, bare pass-through and nginx on core 1, mock and load (wrk -t1; bench/stream-load.ts) on core 0; ${repeats} interleaved repeats, medians; ${seconds} s per request cell; service started as \`npm start\` runs it (\`node ${startCommand().flags.join(' ')} src/main.ts\` with \`NODE_COMPILE_CACHE\`, as \`scripts/run.cjs\` sets them)`,
  targets: targets.map((target) => target.name),
  durationSeconds: Math.round((Date.now() - started) / 1000),
});
console.log(report);
const path = 'docs/BENCHMARKS.md';
const document = readFileSync(path, 'utf8');
const start = '<!-- npm run bench: start -->';
const end = '<!-- npm run bench: end -->';
const before = document.slice(0, document.indexOf(start) + start.length);
const after = document.slice(document.indexOf(end));
if (document.includes(start) && document.includes(end)) writeFileSync(path, `${before}\n${report}\n${after}`);
else console.error(`${path} lacks the ${start} … ${end} markers; the report was not written`);
