import { buildApp } from './app.ts';
import { type Config, ConfigError, loadConfig } from './config/config.ts';
import { readEnvironment } from './config/read-env.ts';
import { createLogger } from './logging/logger.ts';
import { SecretScrubber } from './logging/secret-scrubber.ts';
import { RoundRobinKeys } from './surfaces/native/key-provider.ts';
import { UpstreamClient } from './upstream/upstream-client.ts';

function readConfig(): Config {
  try {
    return loadConfig(readEnvironment());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\nSee .env.example for every setting.\n`);
    process.exit(1);
  }
}

const config = readConfig();
const scrubber = new SecretScrubber();
scrubber.add([...config.keys, ...config.allowedTokens, ...(config.adminToken ? [config.adminToken] : [])]);
const logger = createLogger({
  level: config.logLevel,
  file: config.logFile,
  maxBytes: config.logMaxBytes,
  maxFiles: config.logMaxFiles,
  scrubber,
  pretty: process.stdout.isTTY === true,
});
const upstream = new UpstreamClient({
  baseUrl: config.baseUrl,
  connectTimeoutMs: config.connectTimeoutMs,
  firstByteTimeoutMs: config.firstByteTimeoutMs,
  idleTimeoutMs: config.idleTimeoutMs,
  proxyUrl: config.proxyUrl,
});
const app = await buildApp({ config, logger, upstream, keys: new RoundRobinKeys(config.keys) });

if (config.loopbackOnly) {
  logger.warn(
    `ALLOWED_TOKENS is empty: serving loopback only (${config.host}); set ALLOWED_TOKENS to serve beyond it.`,
  );
}
if (config.keys.length === 0)
  logger.warn('GEMINI_API_KEYS is empty: every Gemini call will answer 503 until keys are added.');

let closing = false;
async function shutdown(signal: string): Promise<void> {
  if (closing) return;
  closing = true;
  logger.info({ signal }, 'shutting down');
  // In-flight requests get a grace period; then remaining connections are cut.
  setTimeout(() => app.server.closeAllConnections(), 10_000).unref();
  await app.close();
  await upstream.close();
  logger.flushFile();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

const address = await app.listen({ port: config.port, host: config.host });
logger.info({ keys: config.keys.length, upstream: config.baseUrl }, `Gemini Balance listening on ${address}`);
