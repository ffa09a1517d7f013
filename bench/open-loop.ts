/**
 * Open-loop load: requests leave on a Poisson schedule fixed in advance, whatever the answers, so a
 * slow or failing service cannot slow the offered load down (no coordinated omission).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'undici';
import type { Capacity } from './pool-mock.ts';

export type ClientResult = {
  status: number;
  /** ms after the run started that the request left (its place in the schedule). */
  sentAt: number;
  /** ms from the first send to the last byte of this answer. */
  latencyMs: number;
  /** An answer the service made itself (out of quota, keys resting, retries spent, path down), not a relayed upstream error. */
  poolSaidCooling: boolean;
  /** A 2xx whose body is not the recorded response byte for byte. */
  bodyChanged: boolean;
  /** Filled in when the answer is not 2xx: the mock's spare capacity at that moment. */
  capacityKeys: number;
  reliableCapacityKeys: number;
  settledCapacityKeys: number;
  settledReliableCapacityKeys: number;
  /** The mock's trace of each settled reliable key with room (see `QuotaMock.trace`), and our Retry-After. */
  trace: string[];
};

export type OpenLoopOptions = {
  client: Pool;
  path: string;
  body: string;
  headers: Record<string, string>;
  /** Mean arrivals per second. */
  rate: number;
  seconds: number;
  random: () => number;
  expectedBody: Buffer;
  /** Asked at the moment a non-2xx answer has fully arrived. */
  capacityNow: () => Capacity;
  timeoutMs?: number;
};

/** Arrival times (ms from start) of a Poisson process of `rate` per second over `seconds`. */
export function poissonSchedule(rate: number, seconds: number, random: () => number): number[] {
  const times: number[] = [];
  for (let at = 0; ; ) {
    at += (-Math.log(1 - random()) / rate) * 1000;
    if (at >= seconds * 1000) return times;
    times.push(at);
  }
}

export async function runOpenLoop(options: OpenLoopOptions): Promise<ClientResult[]> {
  const schedule = poissonSchedule(options.rate, options.seconds, options.random);
  const started = performance.now();
  const inFlight: Array<Promise<ClientResult>> = [];
  for (const at of schedule) {
    const wait = started + at - performance.now();
    if (wait > 0) await sleep(wait);
    inFlight.push(send(options, at));
  }
  return Promise.all(inFlight);
}

async function send(options: OpenLoopOptions, sentAt: number): Promise<ClientResult> {
  const sent = performance.now();
  let status = 0;
  let bytes = Buffer.alloc(0);
  let retryAfter = '';
  try {
    const response = await options.client.request({
      method: 'POST',
      path: options.path,
      body: options.body,
      headers: { 'content-type': 'application/json', ...options.headers },
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
    bytes = Buffer.from(await response.body.arrayBuffer());
    status = response.statusCode;
    retryAfter = String(response.headers['retry-after'] ?? '');
  } catch {
    status = 0; // No answer at all (refused, reset, timed out): a client error too.
  }
  const ok = status >= 200 && status < 300;
  const none = { keys: 0, reliableKeys: 0, settledKeys: 0, settledReliableKeys: 0, trace: [] };
  const capacity = ok ? none : options.capacityNow();
  return {
    status,
    sentAt,
    latencyMs: performance.now() - sent,
    poolSaidCooling: /Every key (in the pool|able to serve|tried)|The way to the Gemini API/.test(
      bytes.toString('utf8'),
    ),
    bodyChanged: ok && !bytes.equals(options.expectedBody),
    capacityKeys: capacity.keys,
    reliableCapacityKeys: capacity.reliableKeys,
    settledCapacityKeys: capacity.settledKeys,
    settledReliableCapacityKeys: capacity.settledReliableKeys,
    trace:
      capacity.trace.length === 0
        ? []
        : [
            `${status} at ${sentAt.toFixed(0)} ms, Retry-After ${retryAfter || '–'}: ${bytes.toString('utf8').slice(0, 120).replace(/\s+/g, ' ')}`,
            ...capacity.trace,
          ],
  };
}
