/**
 * Cost of the Responses translation: the same generation asked natively and through
 * `POST /v1/responses`, both through the service (a separate process) against the same mock, plain
 * and streamed (10 events), kept (`store: true`, one SQLite write per answer) or not. Prints a
 * markdown table. Usage: node bench/responses-translation.ts [seconds-per-cell]
 */
import { benchToken, machineLine, runLoad, startBenchPair } from './harness.ts';

const seconds = Number(process.argv[2] ?? 3);
const nativeBody = '{"contents":[{"role":"user","parts":[{"text":"Why is the sky blue?"}]}]}';
const responsesBody = (model: string, stream: boolean, store: boolean) =>
  JSON.stringify({ model, stream, store, input: 'Why is the sky blue?' });

const { service, stop } = await startBenchPair();

const cases = [
  { name: 'plain', model: 'gemini-2.5-flash', native: ':generateContent', stream: false },
  {
    name: 'streamed, 10 events',
    model: 'bench-sse-10',
    native: ':streamGenerateContent?alt=sse',
    stream: true,
  },
];
console.log(`Machine: ${machineLine()}; ${seconds} s per cell\n`);
console.log(
  '| request | store | conns | native req/s | Responses req/s | native p50 / p99 ms | Responses p50 / p99 ms |',
);
console.log('|---|---|---:|---:|---:|---:|---:|');
for (const entry of cases) {
  for (const store of [false, true]) {
    for (const connections of [1, 16]) {
      const native = {
        path: `/v1beta/models/${entry.model}${entry.native}`,
        body: nativeBody,
        origin: service.origin,
        connections,
        seconds,
        headers: { 'x-goog-api-key': benchToken },
      };
      const responses = {
        path: '/v1/responses',
        body: responsesBody(entry.model, entry.stream, store),
        origin: service.origin,
        connections,
        seconds,
        headers: { authorization: `Bearer ${benchToken}` },
      };
      await runLoad({ ...native, seconds: 0.5 });
      const nativeResult = await runLoad(native);
      await runLoad({ ...responses, seconds: 0.5 });
      const responsesResult = await runLoad(responses);
      if (nativeResult.errors + responsesResult.errors > 0)
        console.error(`errors: ${nativeResult.errors} / ${responsesResult.errors}`);
      const rate = (result: typeof nativeResult) => (result.requests / result.seconds).toFixed(0);
      const latency = (result: typeof nativeResult) => `${result.p50.toFixed(2)} / ${result.p99.toFixed(2)}`;
      console.log(
        `| ${entry.name} | ${store} | ${connections} | ${rate(nativeResult)} | ${rate(responsesResult)} | ${latency(nativeResult)} | ${latency(responsesResult)} |`,
      );
    }
  }
}
console.log(`\nService peak RSS: ${service.peakRssMiB().toFixed(0)} MiB`);
await stop();
