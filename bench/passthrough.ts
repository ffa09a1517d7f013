/**
 * Native pass-through cost: generateContent and a 10-event alt=sse stream, straight to the mock and
 * through the service (a separate process), at 1, 16 and 64 connections. Prints a markdown table.
 * Usage: node bench/passthrough.ts [seconds-per-cell]
 */
import { benchToken, machineLine, runLoad, startBenchPair } from './harness.ts';

const seconds = Number(process.argv[2] ?? 3);
const token = benchToken;
const body = '{"contents":[{"role":"user","parts":[{"text":"Why is the sky blue?"}]}]}';

const { mock, service, stop } = await startBenchPair();

const scenarios = [
  { name: 'generateContent', path: '/v1beta/models/gemini-2.5-flash:generateContent' },
  { name: 'alt=sse, 10 events', path: '/v1beta/models/bench-sse-10:streamGenerateContent?alt=sse' },
];
console.log(`Machine: ${machineLine()}; ${seconds} s per cell\n`);
console.log(
  '| scenario | conns | direct req/s | via service req/s | direct p50 / p99 ms | via service p50 / p99 ms | added p50 ms |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const scenario of scenarios) {
  for (const connections of [1, 16, 64]) {
    const common = { path: scenario.path, body, connections, seconds };
    await runLoad({ ...common, origin: mock.url, headers: {}, seconds: 0.5 }); // warm-up
    const direct = await runLoad({ ...common, origin: mock.url, headers: {} });
    await runLoad({ ...common, origin: service.origin, headers: { 'x-goog-api-key': token }, seconds: 0.5 });
    const via = await runLoad({ ...common, origin: service.origin, headers: { 'x-goog-api-key': token } });
    if (direct.errors + via.errors > 0) console.error(`errors: direct ${direct.errors}, via ${via.errors}`);
    const rate = (result: typeof direct) => (result.requests / result.seconds).toFixed(0);
    console.log(
      `| ${scenario.name} | ${connections} | ${rate(direct)} | ${rate(via)} | ${direct.p50.toFixed(2)} / ${direct.p99.toFixed(2)} | ${via.p50.toFixed(2)} / ${via.p99.toFixed(2)} | ${(via.p50 - direct.p50).toFixed(2)} |`,
    );
  }
}
console.log(`\nService peak RSS: ${service.peakRssMiB().toFixed(0)} MiB`);
await stop();
