/**
 * The floor for Node: a bare HTTP/1.1 pass-through (node:http server, keep-alive agent, no limit on
 * sockets), forwarding every request to UPSTREAM unchanged and piping the answer back. No keys, no
 * checks, no logs: what any Node proxy costs at least. Usage: PORT=… UPSTREAM=http://… node bench/bare-passthrough.ts
 */
import { Agent, createServer, request } from 'node:http';

const upstream = new URL(process.env.UPSTREAM ?? 'http://127.0.0.1:8001');
const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
const hopByHop = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host']);

function forwardable(headers: Record<string, string | string[] | undefined>) {
  const result: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined && !hopByHop.has(name)) result[name] = value;
  }
  return result;
}

const server = createServer((incoming, outgoing) => {
  const upstreamRequest = request(
    {
      host: upstream.hostname,
      port: upstream.port,
      method: incoming.method,
      path: incoming.url,
      headers: forwardable(incoming.headers),
      agent,
    },
    (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, forwardable(answer.headers));
      answer.pipe(outgoing);
    },
  );
  upstreamRequest.on('error', () => {
    if (!outgoing.headersSent) outgoing.writeHead(502);
    outgoing.end();
  });
  outgoing.on('close', () => upstreamRequest.destroy());
  incoming.pipe(upstreamRequest);
});
server.keepAliveTimeout = 60_000;
server.listen({ port: Number(process.env.PORT ?? 8002), host: '127.0.0.1', backlog: 4096 });
process.on('SIGTERM', () => process.exit(0));
