import cluster from 'node:cluster';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { runPrimary } from './cluster/run-primary.ts';
import { type Config, ConfigError, loadConfig } from './config/config.ts';
import { readEnvironment } from './config/read-env.ts';
import { createService, type Service } from './create-service.ts';
import { explainStartUpFailure } from './start-up-failure.ts';

function readConfig(): Config {
  try {
    return loadConfig(readEnvironment());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\nSee .env.example for every setting.\n`);
    process.exit(1);
  }
}

/** A failure the environment caused ends in one sentence and exit 1; anything else is a bug and keeps its trace. */
function stopOn(error: unknown): never {
  const sentence = explainStartUpFailure(error, {
    host: config.host,
    port: config.port,
    logFile: config.logFile,
    dataDir: config.dataDir,
    databaseFile: join(config.dataDir, 'gemini-balance.db'),
  });
  if (sentence === undefined) throw error;
  process.stderr.write(`Gemini Balance cannot start. ${sentence}\n`);
  process.exit(1);
}

const config = readConfig();
// WORKERS > 1: this process only supervises the workers (each runs this file too) and never goes on.
if (config.workers > 1 && cluster.isPrimary) await runPrimary({ workers: config.workers });
const service: Service = await createService(config, {
  pretty: process.stdout.isTTY === true,
  // Without Redis, workers share what the pool learns through the primary.
  ...(cluster.isWorker ? { relay: process } : {}),
}).catch(stopOn);
const { logger } = service;

let closing = false;
async function shutdown(signal: string): Promise<void> {
  if (closing) return;
  closing = true;
  logger.info({ signal }, 'shutting down');
  await service.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

await service.app
  .listen({
    port: config.port,
    host: config.host,
    // A long accept queue: Node's default (511) drops the SYNs of a burst of new clients, which then
    // wait a second or more for the kernel's retry (the kernel caps it at net.core.somaxconn).
    backlog: 4096,
    // One line per address clients can use (each interface when bound to all of them).
    listenTextResolver: (address) => `reachable at ${address}`,
  })
  .catch(stopOn);
const keys = service.pool.census();
logger.info(
  {
    keys: keys.total,
    usable: keys.usable,
    resting: keys.resting,
    disabled: keys.disabled,
    upstream: config.baseUrl,
  },
  startLine(service.app.server.address() as AddressInfo),
);
if (config.keys.length === 0)
  logger.warn('GEMINI_API_KEYS is empty: every Gemini call will answer 503 until keys are added.');

/** Where we really listen, where the docs are, how many keys can serve, and what clients must send. */
function startLine(bound: AddressInfo): string {
  const everywhere = bound.address === '0.0.0.0' || bound.address === '::';
  const host = everywhere ? 'localhost' : bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  const origin = `http://${host}:${bound.port}`;
  const listening = everywhere
    ? `every interface (${bound.address}), port ${bound.port}`
    : `${bound.address} port ${bound.port} only`;
  const { usable, total, resting, disabled } = service.pool.census();
  const keys = `${usable} of ${total} key${total === 1 ? '' : 's'} usable now (${resting} resting, ${disabled} disabled)`;
  const tokens = config.loopbackOnly
    ? 'no client token required (ALLOWED_TOKENS is empty, so loopback only)'
    : `client token required (${config.allowedTokens.length} configured in ALLOWED_TOKENS)`;
  return `Gemini Balance listening on ${listening}: ${origin}, docs at ${origin}/docs; ${keys}; ${tokens}.`;
}
