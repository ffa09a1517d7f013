/**
 * Closed-loop streaming load for `npm run bench`: `streams` clients each open an `alt=sse` stream,
 * read it to the end and open the next, for `seconds` (streams under way then finish). Prints JSON:
 * completed streams, streams/s, median and p99 time to first byte and whole-stream time, errors.
 * Usage: node bench/stream-load.ts <origin> <path> <streams> <seconds> [token]
 */
import { Pool } from 'undici';

const [origin = '', path = '', streamsText = '1', secondsText = '1', token] = process.argv.slice(2);
const streams = Number(streamsText);
const body = '{"contents":[{"role":"user","parts":[{"text":"Why is the sky blue?"}]}]}';
const headers: Record<string, string> = { 'content-type': 'application/json' };
if (token !== undefined) headers['x-goog-api-key'] = token;

const pool = new Pool(origin, { connections: streams, pipelining: 1, keepAliveTimeout: 60_000 });
const firstBytes: number[] = [];
const wholes: number[] = [];
let errors = 0;
const started = performance.now();
const end = started + Number(secondsText) * 1000;

async function client(): Promise<void> {
  while (performance.now() < end) {
    const sent = performance.now();
    try {
      const response = await pool.request({ method: 'POST', path, body, headers });
      let first = true;
      for await (const _chunk of response.body) {
        if (first) firstBytes.push(performance.now() - sent);
        first = false;
      }
      if (response.statusCode !== 200) errors++;
      else wholes.push(performance.now() - sent);
    } catch {
      errors++;
    }
  }
}

await Promise.all(Array.from({ length: streams }, client));
const elapsed = (performance.now() - started) / 1000;
await pool.close();
const at = (values: number[], share: number) => {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))] ?? 0;
};
process.stdout.write(
  `${JSON.stringify({
    completed: wholes.length,
    streamsPerSecond: wholes.length / elapsed,
    firstByteP50: at(firstBytes, 0.5),
    firstByteP99: at(firstBytes, 0.99),
    wholeP50: at(wholes, 0.5),
    wholeP99: at(wholes, 0.99),
    errors,
  })}\n`,
);
