/**
 * What `npm run bench` measures, each its own process: the mock upstream (core 0, beside the load),
 * and on core 1 the bare Node pass-through, the service (as `npm start` runs it) and nginx (when
 * installed). Each target reports the pids whose CPU and memory count.
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { childrenOf, rssMiB, spawnPinned, stop, waitUntilAnswering } from './processes.ts';

export type Target = {
  name: string;
  origin: string;
  /** Processes whose CPU time and memory are this target's. */
  pids: () => number[];
  /** Resident memory right after start, before any load. */
  idleRssMiB: number;
  stop: () => Promise<void>;
};

export const benchToken = 'bench-client-token';
const serviceCore = 1;
const mockCore = 0;
// Below Linux's ephemeral range (32768–60999), where the thousands of client sockets of the stream
// cells take their local ports and a listen would collide.
let nextPort = 21_000 + Math.floor(Math.random() * 10_000);

/**
 * `npm start` (package.json): its node flags, and the compile cache its launcher (scripts/run.cjs)
 * sets, so the bench runs what deployments run. The bench starts Node itself rather than through the
 * launcher, so that the pid it measures is the service's own.
 */
export function startCommand(): { env: Record<string, string>; flags: string[]; text: string } {
  const text = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }).scripts
    .start;
  const words = text.split(/\s+/);
  const launcher = words.indexOf('scripts/run.cjs');
  const flags = words.slice(
    launcher === -1 ? words.indexOf('node') + 1 : launcher + 1,
    words.indexOf('src/main.ts'),
  );
  return {
    env: { NODE_COMPILE_CACHE: join('node_modules', '.cache', 'node-compile') },
    // The NODE_OPTIONS `npm start` gives the service: scripts/run.cjs's own unless one is set. Under
    // `npm run bench` the launcher has set it for this process, so it is read here, not dropped (the
    // service's environment is built without it).
    flags: [
      ...flags,
      ...(process.env.NODE_OPTIONS ?? '--max-semi-space-size=4').split(/\s+/).filter(Boolean),
    ],
    text,
  };
}

async function settle(pids: () => number[]): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 1500));
  return rssMiB(pids());
}

function target(
  name: string,
  origin: string,
  child: ChildProcess,
  idleRssMiB: number,
  pids?: () => number[],
) {
  return {
    name,
    origin,
    pids: pids ?? (() => [child.pid ?? 0]),
    idleRssMiB,
    stop: () => stop(child),
  };
}

export async function startMock(): Promise<Target> {
  const child = spawnPinned(mockCore, process.execPath, ['bench/mock-server.ts'], { stdout: 'pipe' });
  const lines = createInterface({ input: child.stdout! });
  const origin = await new Promise<string>((resolve) => lines.once('line', resolve));
  return target('direct', origin, child, rssMiB([child.pid ?? 0]));
}

export async function startBare(upstream: string): Promise<Target> {
  const port = nextPort++;
  // The same node flags and compile cache as the service: the comparison is about the code.
  const start = startCommand();
  const child = spawnPinned(serviceCore, process.execPath, [...start.flags, 'bench/bare-passthrough.ts'], {
    env: { ...start.env, PATH: process.env.PATH ?? '', PORT: String(port), UPSTREAM: upstream },
  });
  const origin = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(`${origin}/health`);
  const pids = () => [child.pid ?? 0];
  return target('bare Node', origin, child, await settle(pids));
}

/** The service as `npm start` runs it (or with other node `flags`), with its own data folder and log file. */
export async function startServiceTarget(
  name: string,
  upstream: string,
  env: Record<string, string> = {},
  flags: string[] = startCommand().flags,
): Promise<Target> {
  const port = nextPort++;
  const start = startCommand();
  const child = spawnPinned(serviceCore, process.execPath, [...flags, 'src/main.ts'], {
    env: {
      ...start.env,
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      LOG_FILE: join(mkdtempSync(join(tmpdir(), 'gb-bench-log-')), 'app.log'),
      DATA_DIR: mkdtempSync(join(tmpdir(), 'gb-bench-data-')),
      GEMINI_API_KEYS: 'gbBENCHkey-0000000000000000000000001,gbBENCHkey-0000000000000000000000002',
      GEMINI_BASE_URL: upstream,
      ALLOWED_TOKENS: benchToken,
      ...env,
    },
  });
  const origin = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(`${origin}/health`);
  const pids = () => [child.pid ?? 0];
  return target(name, origin, child, await settle(pids));
}

function nginxInstalled(): string | undefined {
  for (const path of ['/usr/sbin/nginx', '/usr/bin/nginx']) {
    try {
      execFileSync(path, ['-v'], { stdio: 'ignore' });
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** nginx as a plain keep-alive reverse proxy (one worker, no buffering), the ceiling; undefined when not installed. */
export async function startNginx(upstream: string): Promise<Target | undefined> {
  const nginx = nginxInstalled();
  if (nginx === undefined) return undefined;
  const port = nextPort++;
  const directory = mkdtempSync(join(tmpdir(), 'gb-bench-nginx-'));
  for (const folder of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(directory, folder));
  const upstreamHost = new URL(upstream).host;
  writeFileSync(
    join(directory, 'nginx.conf'),
    `worker_processes 1;
worker_rlimit_nofile 20000;
pid ${directory}/nginx.pid;
error_log ${directory}/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path ${directory}/body;
  proxy_temp_path ${directory}/proxy;
  fastcgi_temp_path ${directory}/fastcgi;
  uwsgi_temp_path ${directory}/uwsgi;
  scgi_temp_path ${directory}/scgi;
  keepalive_requests 1000000;
  upstream mock { server ${upstreamHost}; keepalive 2048; keepalive_requests 1000000; }
  server {
    listen 127.0.0.1:${port} backlog=4096;
    location / {
      proxy_pass http://mock;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_request_buffering off;
    }
  }
}
`,
  );
  const child = spawnPinned(serviceCore, nginx, [
    '-p',
    directory,
    '-c',
    join(directory, 'nginx.conf'),
    '-g',
    'daemon off;',
  ]);
  const origin = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(`${origin}/health`);
  const pids = () => [child.pid ?? 0, ...childrenOf(child.pid ?? 0)];
  return target('nginx', origin, child, await settle(pids), pids);
}
