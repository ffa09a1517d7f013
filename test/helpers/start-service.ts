import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config/config.ts';
import { createService } from '../../src/create-service.ts';
import type { ImageFetcher } from '../../src/media/fetch-remote-image.ts';
import type { KeyPool } from '../../src/pool/key-pool.ts';
import { clientToken, otherClientToken, poolKeys, testLogFile } from './secrets.ts';

export type RunningService = {
  url: string;
  app: FastifyInstance;
  pool: KeyPool;
  dataDir: string;
  close: () => Promise<void>;
};

/**
 * The service as `npm start` builds it, on a free loopback port, in this process, with its own
 * fresh data folder unless `DATA_DIR` is given. `env` overrides the defaults: the synthetic pool
 * keys, two client tokens, the given upstream.
 */
export async function startService(
  upstreamUrl: string,
  env: Record<string, string> = {},
  options: { images?: ImageFetcher } = {},
): Promise<RunningService> {
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'gemini-balance-test-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    GEMINI_API_KEYS: poolKeys.join(','),
    GEMINI_BASE_URL: upstreamUrl,
    ALLOWED_TOKENS: `${clientToken},${otherClientToken}`,
    LOG_LEVEL: 'info',
    LOG_FILE: testLogFile,
    LOG_MAX_BYTES: String(512 * 1024 * 1024),
    DATA_DIR: dataDir,
    ...env,
  });
  const service = await createService(config, { console: false, scrubLogs: false, ...options });
  await service.app.listen({ port: 0, host: '127.0.0.1', backlog: 4096 });
  const url = `http://127.0.0.1:${(service.app.server.address() as AddressInfo).port}`;
  // Tests end at once: connections a client left half-open would otherwise hold close() for a minute.
  return { url, app: service.app, pool: service.pool, dataDir, close: () => service.close(0) };
}
