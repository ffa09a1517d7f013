/**
 * How well the key pool spends quota: a mock Gemini (bench/pool-mock.ts) enforces per-(key, model)
 * request windows compressed in time (a 4 s "minute"), over a realistic crowd of keys: 20 healthy
 * free-tier keys, 2 invalid (recorded 400 API_KEY_INVALID), 1 suspended (recorded 403), 3 used up for
 * the day on the hot model (429 …PerDay…), 1 flaky (recorded 503 on 30 % of calls). The service starts
 * fresh for every scenario (no warm-up: it must learn the dead keys) and gets open-loop Poisson load
 * at a share of the pool's capacity for one model, then two models of which one is hot. Every
 * scenario runs under two window models (see `WindowModel`), and is compared with an all-knowing
 * router fed the same arrivals (`QuotaMock.oracle`).
 * Every scenario runs once per counting policy (`QUOTA_COUNT`), interleaved, so they share the
 * machine's load. Prints a markdown table.
 * Usage: node bench/pool-effectiveness.ts [seconds-per-scenario] [seed] [phased|first-call|both] [shapes,sliding] [scenario, e.g. "120 %"]
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import { fixtureBytes } from '../test/mock-upstream/fixtures.ts';
import { machineLine, startServiceProcess } from './harness.ts';
import { type ClientResult, poissonSchedule, runOpenLoop } from './open-loop.ts';
import { type KeyKind, QuotaMock, type UpstreamTally, type WindowModel, wasted } from './pool-mock.ts';

const seconds = Number(process.argv[2] ?? 16);
/** Another seed gives other key phases, arrival times and flaky draws. */
const seed = Number(process.argv[3] ?? 1);
/** Both by default; `phased` or `first-call` runs one. */
const windowModels: WindowModel[] =
  process.argv[4] === undefined || process.argv[4] === 'both'
    ? ['phased', 'first-call']
    : [process.argv[4] as WindowModel];
/** How the service counts learnt limits (`QUOTA_COUNT`): each policy gets the same scenarios. */
const policies = (process.argv[5] ?? 'sliding,shapes').split(',');
/** One scenario by name (all by default). */
const onlyScenario = process.argv[6];
/** `POOL_TRACE=1`: list every refusal made while a reliable key had room, with what the mock last told the pool about that key. */
const tracing = process.env.POOL_TRACE === '1';
const windowMs = 4000;
const limit = 5;
const hot = 'gemini-2.5-flash';
const cold = 'gemini-2.5-pro';
const token = 'bench-pool-client-token';
const requestBody = '{"contents":[{"role":"user","parts":[{"text":"Where is Google headquartered?"}]}]}';
const expectedBody = fixtureBytes('generate-content-response.json');
const crowd: ReadonlyArray<[KeyKind, number]> = [
  ['healthy', 20],
  ['invalid', 2],
  ['suspended', 1],
  ['day-exhausted', 3],
  ['flaky', 1],
];

type Load = { model: string; share: number };
type Scenario = { name: string; loads: Load[] };
const scenarios: Scenario[] = [
  { name: '60 %', loads: [{ model: hot, share: 0.6 }] },
  { name: '90 %', loads: [{ model: hot, share: 0.9 }] },
  { name: '120 %', loads: [{ model: hot, share: 1.2 }] },
  {
    name: 'two models',
    loads: [
      { model: hot, share: 1.2 },
      { model: cold, share: 0.3 },
    ],
  },
];

/** Deterministic randomness (mulberry32), so two runs offer the same schedule to the same keys. */
function seeded(start: number): () => number {
  let state = start >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** Synthetic keys shaped like real ones (`AIzaSy` + 33 characters), in shuffled order. */
function makeKeys(random: () => number): Map<string, KeyKind> {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
  const keys: Array<[string, KeyKind]> = [];
  for (const [kind, count] of crowd) {
    for (let index = 0; index < count; index++) {
      const tail = Array.from({ length: 33 }, () => alphabet[Math.floor(random() * alphabet.length)]).join(
        '',
      );
      keys.push([`AIzaSy${tail}`, kind]);
    }
  }
  for (let index = keys.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [keys[index], keys[other]] = [keys[other]!, keys[index]!];
  }
  return new Map(keys);
}

const dayExhaustedModels = new Set([hot]);
/** Requests per second the whole pool can serve for `model`. */
function capacityPerSecond(model: string): number {
  const usable = crowd
    .filter(
      ([kind]) =>
        kind === 'healthy' ||
        kind === 'flaky' ||
        (kind === 'day-exhausted' && !dayExhaustedModels.has(model)),
    )
    .reduce((sum, [, count]) => sum + count, 0);
  return (usable * limit) / (windowMs / 1000);
}

type Row = {
  windowModel: WindowModel;
  policy: string;
  scenario: string;
  /** Which of the same arrivals an all-knowing router would have served. */
  oracle: boolean[];
  /** Same, for a router that never puts more than the limit in any window-long span. */
  safeOracle: boolean[];
  load: Load;
  rate: number;
  results: ClientResult[];
  upstream: UpstreamTally;
  steady: UpstreamTally;
  deliverable: number;
  /** The service's window-layout verdicts, with when they came (ms after the run started). */
  verdicts: string[];
};

/** The `window-layout` warn lines of the service's log, timed from `startedAt` (epoch ms). */
function verdictsIn(logFile: string, startedAt: number): string[] {
  let text = '';
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.includes('per-minute windows are'))
    .map((line) => {
      const { time, msg } = JSON.parse(line) as { time: number; msg: string };
      return `${msg.includes('not phased') ? 'refuted' : 'phased'} at ${time - startedAt} ms`;
    });
}

async function runScenario(
  scenario: Scenario,
  index: number,
  windowModel: WindowModel,
  policy: string,
): Promise<Row[]> {
  const random = seeded(seed * 1000 + index);
  const keys = makeKeys(random);
  const mock = await QuotaMock.start({
    keys,
    windowMs,
    limit,
    windowModel,
    timeScale: 60_000 / windowMs,
    dayExhaustedModels,
    flakyShare: 0.3,
    successLatencyMs: [150, 450],
    random,
  });
  const logFile = join(mkdtempSync(join(tmpdir(), 'gb-bench-')), 'app.log');
  const service = await startServiceProcess({
    LOG_FILE: logFile,
    GEMINI_API_KEYS: [...keys.keys()].join(','),
    GEMINI_BASE_URL: mock.url,
    ALLOWED_TOKENS: token,
    LOG_LEVEL: 'warn',
    // The service's notion of Gemini's "minute", compressed like the mock's.
    QUOTA_MINUTE_MS: String(windowMs),
    QUOTA_COUNT: policy,
  });
  const client = new Pool(service.origin, { connections: 256, pipelining: 1 });
  mock.begin();
  const startedAt = Date.now();
  try {
    const arrivalSeed = (loadIndex: number) => seed * 1000 + 500 + index * 10 + loadIndex;
    // The schedule runOpenLoop follows, regenerated from the same seed for the oracles.
    const arrivals = (load: Load, loadIndex: number) =>
      poissonSchedule(load.share * capacityPerSecond(load.model), seconds, seeded(arrivalSeed(loadIndex)));
    const runs = scenario.loads.map((load, loadIndex) =>
      runOpenLoop({
        client,
        path: `/v1beta/models/${load.model}:generateContent`,
        body: requestBody,
        headers: { 'x-goog-api-key': token },
        rate: load.share * capacityPerSecond(load.model),
        seconds,
        random: seeded(arrivalSeed(loadIndex)),
        expectedBody,
        capacityNow: () => mock.capacity(load.model),
      }),
    );
    const results = await Promise.all(runs);
    await new Promise((resolve) => setTimeout(resolve, 200)); // The log is written behind.
    const verdicts = verdictsIn(logFile, startedAt);
    if (tracing)
      console.log(
        `${windowModel} ${scenario.name}: first 429s after the 1st window\n  ${mock.quotaTrace.join('\n  ')}`,
      );
    return scenario.loads.map((load, loadIndex) => ({
      windowModel,
      policy,
      scenario: scenario.name,
      oracle: mock.oracle(load.model, arrivals(load, loadIndex)),
      safeOracle: mock.oracle(load.model, arrivals(load, loadIndex), true),
      load,
      rate: load.share * capacityPerSecond(load.model),
      results: results[loadIndex] ?? [],
      upstream: mock.tally(load.model).all,
      steady: mock.tally(load.model).steady,
      deliverable: mock.deliverable(load.model, seconds * 1000),
      verdicts,
    }));
  } finally {
    await client.close();
    await service.stop();
    await mock.close();
  }
}

const percent = (part: number, whole: number): string =>
  whole === 0 ? '–' : `${((100 * part) / whole).toFixed(1)} %`;

function tableLine(row: Row): string {
  const { results, upstream } = row;
  const served = results.filter((result) => result.status >= 200 && result.status < 300).length;
  const errors = results.filter((result) => result.status < 200 || result.status >= 300);
  const reliable = errors.filter((result) => result.reliableCapacityKeys > 0).length;
  const flakyOnly = errors.filter((result) => result.capacityKeys > 0).length - reliable;
  const repeats = upstream.windowRepeatRace + upstream.windowRepeatEarly;
  const gap = (oracle: boolean[], from: number) => {
    const sent = results.filter((result) => result.sentAt >= from);
    const ours = sent.filter((result) => result.status >= 200 && result.status < 300).length;
    const best = oracle.filter((ok, index) => ok && (results[index]?.sentAt ?? 0) >= from).length;
    return sent.length === 0 ? '–' : ((100 * (ours - best)) / sent.length).toFixed(1);
  };
  const oracleServed = (oracle: boolean[]) => percent(oracle.filter(Boolean).length, results.length);
  return [
    row.windowModel,
    row.policy,
    row.scenario,
    row.load.model === hot ? `${row.load.model} (hot)` : row.load.model,
    `${Math.round(row.load.share * 100)} % · ${row.rate.toFixed(1)}/s`,
    results.length,
    percent(served, results.length),
    `${oracleServed(row.oracle)} (${gap(row.oracle, 0)} / ${gap(row.oracle, windowMs)})`,
    `${oracleServed(row.safeOracle)} (${gap(row.safeOracle, 0)} / ${gap(row.safeOracle, windowMs)})`,
    `${reliable} / ${flakyOnly} / ${errors.length - reliable - flakyOnly}`,
    upstream.calls,
    `${wasted(upstream)} (${percent(wasted(upstream), upstream.calls)})`,
    `${upstream.dead} / ${upstream.dayQuota} / ${upstream.windowFirst} + ${repeats} / ${upstream.overloaded}`,
    `${percent(wasted(row.steady), row.steady.calls)} (${row.steady.windowFirst} first 429s, ${row.steady.overloaded} 503s)`,
    results.length === 0 ? '–' : (upstream.calls / results.length).toFixed(2),
  ].join(' | ');
}

function noteLine(row: Row): string {
  const errors = row.results.filter((result) => result.status < 200 || result.status >= 300);
  const statuses = new Map<number, number>();
  for (const result of errors) statuses.set(result.status, (statuses.get(result.status) ?? 0) + 1);
  const cooling = errors.filter((result) => result.poolSaidCooling).length;
  const settled = errors.filter((result) => result.settledCapacityKeys > 0).length;
  const reliable = errors.filter((result) => result.settledReliableCapacityKeys > 0).length;
  const served = row.results.filter((result) => result.status >= 200 && result.status < 300);
  const latencies = served.map((result) => result.latencyMs).sort((left, right) => left - right);
  const at = (share: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * share))] ?? 0;
  const changed = served.filter((result) => result.bodyChanged).length;
  return [
    `- ${row.windowModel}, ${row.policy}, ${row.scenario}, ${row.load.model}: client errors by status ${JSON.stringify(Object.fromEntries(statuses))}`,
    `(${cooling} made by the service itself, ${errors.length - cooling} relayed upstream errors);`,
    `errors while a key had capacity for ≥ 100 ms: ${settled}, a key other than the flaky one: ${reliable};`,
    `repeat 429s in a window: ${row.upstream.windowRepeatRace} in flight / ${row.upstream.windowRepeatEarly} after the end the 429 gave;`,
    `served ${served.length} of at most ${row.deliverable} the keys' windows allowed in the run;`,
    `served p50 / p99 ${at(0.5).toFixed(0)} / ${at(0.99).toFixed(0)} ms; bodies not byte-exact: ${changed};`,
    `layout verdicts: ${row.verdicts.join(', ') || 'none'}`,
    ...(tracing
      ? errors
          .filter((result) => result.trace.length > 0)
          .map((result) => `\n  - refused while a reliable key had room: ${result.trace.join('\n    - ')}`)
      : []),
  ].join(' ');
}

const rows: Row[] = [];
for (const windowModel of windowModels)
  for (const [index, scenario] of scenarios.entries())
    if (onlyScenario === undefined || onlyScenario === scenario.name)
      for (const policy of policies) rows.push(...(await runScenario(scenario, index, windowModel, policy)));

const capacity = capacityPerSecond(hot);
console.log(`Machine: ${machineLine()}`);
console.log(
  `Pool: ${crowd.map(([kind, count]) => `${count} ${kind}`).join(', ')}; ${limit} requests per (key, model) per ${windowMs / 1000} s window` +
    ` (capacity ${capacity.toFixed(2)}/s for ${hot}, ${capacityPerSecond(cold).toFixed(2)}/s for ${cold}); MAX_RETRIES 3 (default);` +
    ` ${seconds} s of Poisson arrivals per scenario (seed ${seed}), fresh service each time, no warm-up.\n`,
);
console.log(
  '| windows | count | scenario | model | offered | sent | served 2xx | all-knowing oracle: served (ours − oracle, points: whole run / after the 1st window) | sliding-safe oracle: same | client errors while capacity left on a reliable key / only on the flaky key / none left | upstream calls | wasted | wasted by cause: dead / day / window 429 first + repeat / 503 | wasted after 1st window (of which: first 429s of a window, the flaky key’s 503s) | upstream calls per request |',
);
console.log('|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const row of rows) console.log(`| ${tableLine(row)} |`);
console.log('');
for (const row of rows) console.log(noteLine(row));
