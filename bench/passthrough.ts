/**
 * Native pass-through cost: generateContent and a 10-event alt=sse stream, straight to the mock and
 * through the service (a separate process), at 1, 16 and 64 connections. Prints a markdown table.
 * Usage: node bench/passthrough.ts [seconds-per-cell]
 */
import { fixtureBytes, splitSseEvents } from '../test/mock-upstream/fixtures.ts';
import { MockGemini } from '../test/mock-upstream/mock-gemini.ts';
import { machineLine, runLoad, startServiceProcess } from './harness.ts';

const seconds = Number(process.argv[2] ?? 3);
const token = 'bench-client-token';
const body = '{"contents":[{"role":"user","parts":[{"text":"Why is the sky blue?"}]}]}';
const events = splitSseEvents(fixtureBytes('stream-alt-sse.txt'));
const tenEvents = Array.from({ length: 10 }, (_, index) => events[Math.min(index, events.length - 1)]!);

const mock = await MockGemini.start();
// A 10-event stream built from the recorded events, one write per event.
mock.override = (request, response) => {
  if (!request.url.includes('bench-sse-10')) return false;
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const event of tenEvents) response.write(event);
  response.end();
  return true;
};
mock.received.length = 0;
const service = await startServiceProcess({
  GEMINI_API_KEYS: 'AIzaSyBENCHkey0000000000000000000000001,AIzaSyBENCHkey0000000000000000000000002',
  GEMINI_BASE_URL: mock.url,
  ALLOWED_TOKENS: token,
});
// The mock keeps every request it saw; a benchmark must not grow it without bound.
const trim = setInterval(() => {
  mock.received.length = 0;
}, 500);

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
clearInterval(trim);
await service.stop();
await mock.close();
