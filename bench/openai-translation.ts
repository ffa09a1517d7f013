/**
 * Cost of the OpenAI translation: the same generation asked natively and as an OpenAI chat
 * completion, both through the service (a separate process) against the same mock, plain and
 * streamed (10 events), at 1, 16 and 64 connections. Prints a markdown table.
 * Usage: node bench/openai-translation.ts [seconds-per-cell]
 */
import { benchToken, machineLine, runLoad, startBenchPair } from './harness.ts';

const seconds = Number(process.argv[2] ?? 3);
const token = benchToken;
const nativeBody = '{"contents":[{"role":"user","parts":[{"text":"Why is the sky blue?"}]}]}';
const chatBody = (model: string, stream: boolean) =>
  JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'Why is the sky blue?' }] });

const { service, stop } = await startBenchPair();

const pairs = [
  {
    name: 'plain',
    native: { path: '/v1beta/models/gemini-2.5-flash:generateContent', body: nativeBody },
    openai: { path: '/v1/chat/completions', body: chatBody('gemini-2.5-flash', false) },
  },
  {
    name: 'streamed, 10 events',
    native: { path: '/v1beta/models/bench-sse-10:streamGenerateContent?alt=sse', body: nativeBody },
    openai: { path: '/v1/chat/completions', body: chatBody('bench-sse-10', true) },
  },
];
console.log(`Machine: ${machineLine()}; ${seconds} s per cell\n`);
console.log(
  '| request | conns | native req/s | OpenAI req/s | native p50 / p99 ms | OpenAI p50 / p99 ms | translation p50 / p99 ms |',
);
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const pair of pairs) {
  for (const connections of [1, 16, 64]) {
    const native = {
      ...pair.native,
      origin: service.origin,
      connections,
      seconds,
      headers: { 'x-goog-api-key': token },
    };
    const openai = {
      ...pair.openai,
      origin: service.origin,
      connections,
      seconds,
      headers: { authorization: `Bearer ${token}` },
    };
    await runLoad({ ...native, seconds: 0.5 });
    const nativeResult = await runLoad(native);
    await runLoad({ ...openai, seconds: 0.5 });
    const openaiResult = await runLoad(openai);
    if (nativeResult.errors + openaiResult.errors > 0)
      console.error(`errors: ${nativeResult.errors} / ${openaiResult.errors}`);
    const rate = (result: typeof nativeResult) => (result.requests / result.seconds).toFixed(0);
    const pair99 = (result: typeof nativeResult) => `${result.p50.toFixed(2)} / ${result.p99.toFixed(2)}`;
    console.log(
      `| ${pair.name} | ${connections} | ${rate(nativeResult)} | ${rate(openaiResult)} | ${pair99(nativeResult)} | ${pair99(openaiResult)} | ${(openaiResult.p50 - nativeResult.p50).toFixed(2)} / ${(openaiResult.p99 - nativeResult.p99).toFixed(2)} |`,
    );
  }
}
console.log(`\nService peak RSS: ${service.peakRssMiB().toFixed(0)} MiB`);
await stop();
