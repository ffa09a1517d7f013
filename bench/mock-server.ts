/**
 * The mock Gemini upstream as its own process for `npm run bench` (so it can be pinned to a core):
 * the recorded fixtures, plus `bench-sse-10` (10 recorded events at once) and `bench-paced-<ms>`
 * (10 recorded events, `<ms>` apart). Prints its origin on stdout. Usage: node bench/mock-server.ts
 */
import type { ServerResponse } from 'node:http';
import { fixtureBytes, splitSseEvents } from '../test/mock-upstream/fixtures.ts';
import { MockGemini } from '../test/mock-upstream/mock-gemini.ts';

const events = splitSseEvents(fixtureBytes('stream-alt-sse.txt'));
const tenEvents = Array.from({ length: 10 }, (_, index) => events[Math.min(index, events.length - 1)]!);

function paced(response: ServerResponse, gapMs: number): void {
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  let sent = 0;
  const next = () => {
    if (response.destroyed) return;
    response.write(tenEvents[sent++]);
    if (sent < tenEvents.length) setTimeout(next, gapMs);
    else response.end();
  };
  next();
}

const mock = await MockGemini.start({ http2: process.env.MOCK_HTTP2 === 'true' });
mock.override = (request, response) => {
  // The request log would grow without bound over a benchmark.
  mock.received.length = 0;
  const gap = /bench-paced-(\d+)/.exec(request.url)?.[1];
  if (gap !== undefined) {
    paced(response, Number(gap));
    return true;
  }
  if (!request.url.includes('bench-sse-10')) return false;
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const event of tenEvents) response.write(event);
  response.end();
  return true;
};
process.stdout.write(`${mock.url}\n`);
process.on('SIGTERM', () => void mock.close().then(() => process.exit(0)));
