import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { SecretScrubber } from '../../src/logging/secret-scrubber.ts';
import { RoundRobinKeys } from '../../src/surfaces/native/key-provider.ts';
import { UpstreamClient } from '../../src/upstream/upstream-client.ts';
import { clientToken, otherClientToken, poolKeys, testLogFile } from './secrets.ts';

export type RunningService = { url: string; app: FastifyInstance; close: () => Promise<void> };

/**
 * The service as `npm start` builds it, on a free loopback port, in this process. `env` overrides
 * the defaults: the synthetic pool keys, two client tokens, the given upstream.
 */
export async function startService(
  upstreamUrl: string,
  env: Record<string, string> = {},
): Promise<RunningService> {
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    GEMINI_API_KEYS: poolKeys.join(','),
    GEMINI_BASE_URL: upstreamUrl,
    ALLOWED_TOKENS: `${clientToken},${otherClientToken}`,
    LOG_LEVEL: 'info',
    LOG_FILE: testLogFile,
    LOG_MAX_BYTES: String(512 * 1024 * 1024),
    ...env,
  });
  const scrubber = new SecretScrubber();
  scrubber.add([...config.keys, ...config.allowedTokens]);
  const logger = createLogger({
    level: config.logLevel,
    file: config.logFile,
    maxBytes: config.logMaxBytes,
    maxFiles: config.logMaxFiles,
    scrubber,
    console: false,
  });
  const upstream = new UpstreamClient({
    baseUrl: config.baseUrl,
    connectTimeoutMs: config.connectTimeoutMs,
    firstByteTimeoutMs: config.firstByteTimeoutMs,
    idleTimeoutMs: config.idleTimeoutMs,
  });
  const app = await buildApp({ config, logger, upstream, keys: new RoundRobinKeys(config.keys) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    url,
    app,
    close: async () => {
      // Tests end at once: connections a client left half-open would otherwise hold close() for a minute.
      const closing = app.close();
      app.server.closeAllConnections();
      await closing;
      await upstream.close();
      logger.flushFile();
    },
  };
}
