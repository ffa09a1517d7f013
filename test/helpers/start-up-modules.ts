/**
 * Run as a process of its own by start-up-footprint.test.ts: builds the service as `npm start` does
 * (defaults, no Redis) and prints, as JSON, every module it loaded and whether Node's bundled undici
 * was among them.
 */
import { mkdtempSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const loaded: string[] = [];
registerHooks({
  load(url, context, next) {
    loaded.push(url);
    return next(url, context);
  },
});
const { loadConfig } = await import('../../src/config/config.ts');
const { createService } = await import('../../src/create-service.ts');
const { poolKeys, clientToken } = await import('./secrets.ts');
const folder = mkdtempSync(join(tmpdir(), 'gemini-balance-footprint-'));
const service = await createService(
  loadConfig({
    GEMINI_API_KEYS: poolKeys.join(','),
    ALLOWED_TOKENS: clientToken,
    DATA_DIR: folder,
    LOG_FILE: join(folder, 'app.log'),
  }),
  { console: false },
);
await service.app.ready();
// Node's own list of the built-in modules it loaded (untyped).
const builtins = (process as NodeJS.Process & { moduleLoadList: string[] }).moduleLoadList;
const bundledUndici = builtins.includes('NativeModule internal/deps/undici/undici');
await service.close(0);
process.stdout.write(JSON.stringify({ loaded, bundledUndici }));
