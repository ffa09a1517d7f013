import { type Config, ConfigError, loadConfig } from './config/config.ts';
import { readEnvironment } from './config/read-env.ts';
import { createService } from './create-service.ts';

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
const service = await createService(config, { pretty: process.stdout.isTTY === true });
const { logger } = service;

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
  await service.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

const address = await service.app.listen({ port: config.port, host: config.host });
const keys = service.pool.census();
logger.info(
  {
    keys: keys.total,
    usable: keys.usable,
    resting: keys.resting,
    disabled: keys.disabled,
    upstream: config.baseUrl,
  },
  `Gemini Balance listening on ${address}: ${keys.usable} of ${keys.total} keys usable now, ${keys.resting} resting (cooling or backing off), ${keys.disabled} disabled`,
);
