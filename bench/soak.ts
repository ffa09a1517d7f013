/**
 * Soak: the service (its own process, started as `npm start` runs it) under mixed load for
 * SOAK_SECONDS (default 600): native unary and streams, OpenAI chat plain and streamed, upstream
 * errors (429, 503), client aborts mid-stream, resumable uploads, bad requests and unauthenticated ones. Samples the service's RSS, live heap
 * (after a forced GC) and open handles every SOAK_SAMPLE_MS (default 10 s) and prints the figures.
 * Usage: npm run soak   (SOAK_SECONDS=60 npm run soak for a short run)
 */
import { Pool } from 'undici';
import { fixtureBytes, splitSseEvents } from '../test/mock-upstream/fixtures.ts';
import { MockGemini } from '../test/mock-upstream/mock-gemini.ts';
import { benchToken, machineLine, startServiceProcess } from './harness.ts';

const seconds = Number(process.env.SOAK_SECONDS ?? 600);
const sampleMs = Number(process.env.SOAK_SAMPLE_MS ?? 10_000);
const workers = Number(process.env.SOAK_WORKERS ?? 24);
type Sample = { at: number; rss: number; heapUsed: number; external: number; handles: number };

const events = splitSseEvents(fixtureBytes('stream-alt-sse.txt'));
const mock = await MockGemini.start();
mock.override = (request, response) => {
  if (!request.url.includes('soak-slow-sse')) return false;
  // A slow stream the client abandons midway: one event every 50 ms, 40 events.
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  let index = 0;
  const timer = setInterval(() => {
    if (response.destroyed || index >= 40) {
      clearInterval(timer);
      response.end();
      return;
    }
    response.write(events[index++ % events.length] ?? '');
  }, 50);
  return true;
};
const trim = setInterval(() => {
  mock.received.length = 0;
  mock.liveSessions.length = 0;
}, 1000);

// The service as `npm start` runs it, with a probe that reports its memory and handles.
const samples: Sample[] = [];
const started = Date.now();
const service = await startServiceProcess(
  {
    GEMINI_API_KEYS: 'gbSOAKkey-000000000000000000000000001,gbSOAKkey-000000000000000000000000002',
    GEMINI_BASE_URL: mock.url,
    ALLOWED_TOKENS: benchToken,
    SOAK_SAMPLE_MS: String(sampleMs),
  },
  {
    nodeArguments: ['--expose-gc', '--import', './bench/soak-probe.ts'],
    onMessage: (message) =>
      samples.push({ at: (Date.now() - started) / 1000, ...(message as Omit<Sample, 'at'>) }),
  },
);
const origin = service.origin;

const pool = new Pool(origin, { connections: workers });
const auth = { 'x-goog-api-key': benchToken, 'content-type': 'application/json' };
const bearer = { authorization: `Bearer ${benchToken}`, 'content-type': 'application/json' };
const prompt = '{"contents":[{"role":"user","parts":[{"text":"Why is the sky blue?"}]}]}';
const chat = (stream: boolean) =>
  JSON.stringify({ model: 'gemini-2.5-flash', stream, messages: [{ role: 'user', content: 'hi' }] });

type Scenario = { name: string; run: () => Promise<number>; expect: number[] };
async function send(method: string, path: string, headers: Record<string, string>, body?: string) {
  const answer = await pool.request({ method, path, headers, ...(body === undefined ? {} : { body }) });
  await answer.body.dump({ limit: Number.POSITIVE_INFINITY });
  return answer;
}
const status = async (method: string, path: string, headers: Record<string, string>, body?: string) =>
  (await send(method, path, headers, body)).statusCode;
const scenarios: Scenario[] = [
  {
    name: 'native unary',
    expect: [200],
    run: () => status('POST', '/v1beta/models/gemini-2.5-flash:generateContent', auth, prompt),
  },
  {
    name: 'native stream',
    expect: [200],
    run: () => status('POST', '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', auth, prompt),
  },
  {
    name: 'openai chat',
    expect: [200],
    run: () => status('POST', '/v1/chat/completions', bearer, chat(false)),
  },
  {
    name: 'openai stream',
    expect: [200],
    run: () => status('POST', '/v1/chat/completions', bearer, chat(true)),
  },
  {
    name: 'upstream 429',
    expect: [429],
    run: () => status('POST', '/v1beta/models/mock-error-429-no-details:generateContent', auth, prompt),
  },
  {
    name: 'upstream 503',
    expect: [503],
    run: () => status('POST', '/v1beta/models/mock-error-503-overloaded:generateContent', auth, prompt),
  },
  { name: 'bad JSON', expect: [400], run: () => status('POST', '/v1/chat/completions', bearer, '{"model":') },
  {
    name: 'no token',
    expect: [401],
    run: () => status('POST', '/v1beta/models/gemini-2.5-flash:generateContent', {}, prompt),
  },
  {
    name: 'abort mid-stream',
    expect: [200],
    run: async () => {
      const controller = new AbortController();
      const answer = await pool.request({
        method: 'POST',
        path: '/v1beta/models/soak-slow-sse:streamGenerateContent?alt=sse',
        headers: auth,
        body: prompt,
        signal: controller.signal,
      });
      answer.body.on('error', () => {});
      for await (const _chunk of answer.body) break;
      controller.abort();
      return answer.statusCode;
    },
  },
  {
    name: 'resumable upload',
    expect: [200],
    run: async () => {
      const start = await send(
        'POST',
        '/upload/v1beta/files',
        { ...auth, 'x-goog-upload-protocol': 'resumable', 'x-goog-upload-command': 'start' },
        '{"file":{"display_name":"soak"}}',
      );
      const url = new URL(String(start.headers['x-goog-upload-url']));
      const upload = { 'x-goog-upload-command': 'upload, finalize', 'x-goog-upload-offset': '0' };
      return status('POST', `${url.pathname}${url.search}`, upload, 'x'.repeat(64 * 1024));
    },
  },
];
const counts = new Map(scenarios.map((scenario) => [scenario.name, { ok: 0, unexpected: 0 }]));
const deadline = Date.now() + seconds * 1000;
let turn = 0;
const worker = async () => {
  while (Date.now() < deadline) {
    const scenario = scenarios[turn++ % scenarios.length] as Scenario;
    const count = counts.get(scenario.name) as { ok: number; unexpected: number };
    try {
      if (scenario.expect.includes(await scenario.run())) count.ok++;
      else count.unexpected++;
    } catch {
      count.unexpected++;
    }
  }
};
const progress = setInterval(() => {
  const last = samples.at(-1);
  if (last !== undefined)
    console.error(
      `${last.at.toFixed(0)} s: RSS ${mib(last.rss)} MiB, heap ${mib(last.heapUsed)} MiB, handles ${last.handles}`,
    );
}, sampleMs);
await Promise.all(Array.from({ length: workers }, worker));
clearInterval(progress);
await new Promise((resolve) => setTimeout(resolve, sampleMs + 500));
const peakRss = service.peakRssMiB();
await service.stop();
await pool.close();
clearInterval(trim);
await mock.close();

function mib(bytes: number): string {
  return (bytes / 1048576).toFixed(1);
}
const loaded = samples.filter((sample) => sample.at > 15 && sample.at <= seconds);
const first = loaded[0] ?? samples[0];
const last = loaded.at(-1) ?? samples.at(-1);
const total = [...counts.values()].reduce((sum, count) => sum + count.ok + count.unexpected, 0);
console.log(`Machine: ${machineLine()}`);
console.log(
  `Duration ${seconds} s, ${workers} concurrent clients, ${total} requests (${(total / seconds).toFixed(0)}/s)\n`,
);
console.log('| scenario | as expected | unexpected |\n|---|---:|---:|');
for (const [name, count] of counts) console.log(`| ${name} | ${count.ok} | ${count.unexpected} |`);
console.log('\n| at s | RSS MiB | live heap MiB | external MiB | handles |\n|---:|---:|---:|---:|---:|');
for (const sample of samples)
  console.log(
    `| ${sample.at.toFixed(0)} | ${mib(sample.rss)} | ${mib(sample.heapUsed)} | ${mib(sample.external)} | ${sample.handles} |`,
  );
if (first !== undefined && last !== undefined) {
  console.log(
    `\nUnder load (after 15 s warm-up): RSS ${mib(first.rss)} → ${mib(last.rss)} MiB (peak ${peakRss.toFixed(0)} MiB), live heap ${mib(first.heapUsed)} → ${mib(last.heapUsed)} MiB, handles ${first.handles} → ${last.handles} (max ${Math.max(...loaded.map((sample) => sample.handles))})`,
  );
}
