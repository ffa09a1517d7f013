/** The markdown tables `npm run bench` writes: medians per cell, target and metric, and the targets. */

/** `${cell}|${target}|${metric}` → one value per repeat. */
export type Samples = Map<string, number[]>;

/** Service variants for the records and logging cells: records, metrics and `info` lines all on, or all off. */
export const loggingOn = 'service, all on';
export const loggingOff = 'service, all off';

type Context = { machine: string; setup: string; targets: string[]; durationSeconds: number };

function median(values: readonly number[] | undefined): number {
  if (values === undefined || values.length === 0) return Number.NaN;
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function format(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function renderReport(samples: Samples, context: Context): string {
  const get = (cell: string, target: string, metric: string) =>
    median(samples.get(`${cell}|${target}|${metric}`));
  const { targets } = context;
  const row = (label: string, cell: (target: string) => string) =>
    `| ${label} | ${targets.map((target) => cell(target)).join(' | ')} |`;
  const header = `| | ${targets.join(' | ')} |\n|---|${targets.map(() => '---:').join('|')}|`;
  const lines: string[] = [
    `Machine: ${context.machine}. ${context.setup}. Whole run: ${context.durationSeconds} s.`,
    '',
    '### Native generateContent (wrk)',
    '',
    header,
  ];
  for (const connections of [1, 16, 64]) {
    const cell = `generate ${connections}`;
    lines.push(
      row(`${connections} conn: requests/s`, (target) => format(get(cell, target, 'perSecond'))),
      row(
        `${connections} conn: p50 / p99 ms`,
        (target) => `${format(get(cell, target, 'p50'), 2)} / ${format(get(cell, target, 'p99'), 2)}`,
      ),
      row(`${connections} conn: added p50 over direct, ms`, (target) =>
        target === 'direct' ? '–' : format(get(cell, target, 'p50') - get(cell, 'direct', 'p50'), 2),
      ),
      row(`${connections} conn: CPU µs per request`, (target) =>
        target === 'direct' ? '(mock)' : format(get(cell, target, 'cpuMicros')),
      ),
    );
  }
  lines.push('', '### `alt=sse`, 10 chunks per stream (bench/stream-load.ts, closed loop)', '', header);
  for (const [cell, label] of [
    ['streams 100', '100 streams, 20 ms apart'],
    ['streams 1000', '1,000 streams, 200 ms apart'],
  ] as const) {
    const overDirect = (target: string, metric: string) =>
      target === 'direct' ? '–' : format(get(cell, target, metric) - get(cell, 'direct', metric), 2);
    lines.push(
      row(`${label}: streams/s`, (target) => format(get(cell, target, 'streamsPerSecond'))),
      row(
        `${label}: first byte p50 / p99 ms`,
        (target) =>
          `${format(get(cell, target, 'firstByteP50'), 2)} / ${format(get(cell, target, 'firstByteP99'), 2)}`,
      ),
      row(`${label}: first byte over direct, p50 ms`, (target) => overDirect(target, 'firstByteP50')),
      row(`${label}: whole stream over direct, p50 ms`, (target) => overDirect(target, 'wholeP50')),
      row(`${label}: peak RSS in the cell, MiB`, (target) => format(get(cell, target, 'peakRss'))),
      row(`${label}: CPU µs per stream`, (target) =>
        target === 'direct' ? '(mock)' : format(get(cell, target, 'cpuMicros')),
      ),
    );
  }
  lines.push(
    '',
    '### Memory (MiB)',
    '',
    header,
    row('idle, after start', (target) => format(get('memory', target, 'idle'))),
    row('peak over the whole run (VmHWM)', (target) => format(get('memory', target, 'peak'))),
  );
  lines.push(
    '',
    '### The service: OpenAI surface, records and logging (16 and 64 connections)',
    '',
    '| | requests/s | p50 / p99 ms | CPU µs per request |',
    '|---|---:|---:|---:|',
  );
  for (const [cell, target, label] of [
    ['generate 16', 'service', 'native generateContent, 16 conn'],
    ['openai plain', 'service', 'OpenAI chat completion, 16 conn'],
    ['native streamed', 'service', 'native alt=sse (10 chunks at once), 16 conn'],
    ['openai streamed', 'service', 'OpenAI streamed chat completion (same 10 chunks), 16 conn'],
    ['logging 64', loggingOff, 'native generateContent, records, metrics off, LOG_LEVEL=warn, 64 conn'],
    ['logging 64', loggingOn, 'native generateContent, records, metrics on, LOG_LEVEL=info, 64 conn'],
  ] as const) {
    lines.push(
      `| ${label} | ${format(get(cell, target, 'perSecond'))} | ${format(get(cell, target, 'p50'), 2)} / ${format(get(cell, target, 'p99'), 2)} | ${format(get(cell, target, 'cpuMicros'))} |`,
    );
  }
  lines.push('', ...renderTargets(get, targets));
  return lines.join('\n');
}

function renderTargets(
  get: (cell: string, target: string, metric: string) => number,
  targets: string[],
): string[] {
  const bare = 'bare Node';
  const verdict = (met: boolean) => (met ? 'met' : '**missed**');
  const rows: Array<[string, string, boolean]> = [];
  const streamsRatio =
    get('streams 1000', 'service', 'streamsPerSecond') / get('streams 1000', 'direct', 'streamsPerSecond');
  rows.push(['1,000 streams: streams/s ≥ 0.98× direct', `${format(streamsRatio, 3)}×`, streamsRatio >= 0.98]);
  const firstByte1000 =
    get('streams 1000', 'service', 'firstByteP50') - get('streams 1000', 'direct', 'firstByteP50');
  rows.push([
    '1,000 streams: first byte over direct ≤ 2 ms (p50)',
    `${format(firstByte1000, 2)} ms`,
    firstByte1000 <= 2,
  ]);
  const peak = get('memory', 'service', 'peak');
  rows.push(['peak RSS over the whole run ≤ 250 MiB', `${format(peak)} MiB`, peak <= 250]);
  for (const connections of [1, 16, 64]) {
    const cell = `generate ${connections}`;
    const ratio = get(cell, 'service', 'cpuMicros') / get(cell, bare, 'cpuMicros');
    rows.push([
      `CPU per request ≤ 1.25× bare Node, ${connections} conn`,
      `${format(ratio, 2)}×`,
      ratio <= 1.25,
    ]);
  }
  const throughput = get('generate 64', 'service', 'perSecond') / get('generate 64', bare, 'perSecond');
  rows.push(['requests/s at 64 conn ≥ 0.85× bare Node', `${format(throughput, 2)}×`, throughput >= 0.85]);
  const added = get('generate 1', 'service', 'p50') - get('generate 1', 'direct', 'p50');
  rows.push(['added p50 at 1 conn ≤ 0.2 ms over direct', `${format(added, 2)} ms`, added <= 0.2]);
  const firstByte100 =
    get('streams 100', 'service', 'firstByteP50') - get('streams 100', 'direct', 'firstByteP50');
  rows.push([
    '100 streams: first byte over direct ≤ 0.5 ms (p50)',
    `${format(firstByte100, 2)} ms`,
    firstByte100 <= 0.5,
  ]);
  const idle = get('memory', 'service', 'idle');
  rows.push(['idle memory ≤ 100 MiB', `${format(idle)} MiB`, idle <= 100]);
  const loggingCost =
    1 - get('logging 64', loggingOn, 'perSecond') / get('logging 64', loggingOff, 'perSecond');
  rows.push([
    'records, metrics and info logging on: ≤ 10 % fewer requests/s than off',
    `${format(loggingCost * 100, 1)} % fewer`,
    loggingCost <= 0.1,
  ]);
  return [
    `### Targets (issue 13; ${targets.includes('nginx') ? 'nginx measured as the ceiling' : 'nginx not installed'})`,
    '',
    '| target | measured | |',
    '|---|---:|---|',
    ...rows.map(([label, value, met]) => `| ${label} | ${value} | ${verdict(met)} |`),
  ];
}
