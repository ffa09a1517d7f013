import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';

type Service = {
  build: string;
  ports: string[];
  env_file: { path: string; required?: boolean }[];
  environment: Record<string, string>;
};
const compose = parse(readFileSync('compose.yaml', 'utf8')) as { services: Record<string, Service> };
const service = compose.services['gemini-balance'];

/** Compose's interpolation of `${NAME}`, `${NAME:-default}` and `${NAME:?message}` (no Docker engine here). */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_whole, name: string, kind?: string, rest = '') => {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    if (kind === '?') throw new Error(`required variable ${name} is missing a value: ${rest}`);
    return kind === '-' ? rest : '';
  });
}

test('compose.yaml builds from files that exist and needs no .env file', () => {
  assert.ok(service, 'a gemini-balance service');
  assert.ok(existsSync(join(service.build, 'Dockerfile')));
  // COPY --from=<stage> copies from an earlier build stage, not from the build context.
  for (const source of readFileSync('Dockerfile', 'utf8').matchAll(/^COPY (?!--from=)(.+) \S+$/gm))
    for (const path of (source[1] ?? '').split(' ')) assert.ok(existsSync(path), `Dockerfile copies ${path}`);
  for (const file of service.env_file) assert.ok(file.required === false || existsSync(file.path), file.path);
});

test('compose.yaml honours PORT (the host port Caddy publishes), defaults to 8000, and names what is required', () => {
  const caddy = compose.services.caddy;
  const resolve = (env: Record<string, string>) => ({
    ports: caddy?.ports.map((port) => interpolate(port, env)),
    environment: Object.fromEntries(
      Object.entries(service?.environment ?? {}).map(([name, value]) => [
        name,
        interpolate(String(value), env),
      ]),
    ),
  });
  assert.throws(() => resolve({}), /ALLOWED_TOKENS is missing a value: set ALLOWED_TOKENS/);
  const defaults = resolve({ ALLOWED_TOKENS: 'token' });
  assert.deepEqual(defaults.ports, ['8000:80', '443:443']);
  // Inside the stack the service always listens on 8000, where Caddy looks for it.
  assert.equal(defaults.environment.PORT, '8000');
  assert.equal(defaults.environment.HOST, '0.0.0.0');
  const custom = resolve({ ALLOWED_TOKENS: 'token', PORT: '9123', GEMINI_API_KEYS: 'a,b' });
  assert.deepEqual(custom.ports, ['9123:80', '443:443']);
  assert.equal(custom.environment.PORT, '8000');
  assert.equal(custom.environment.GEMINI_API_KEYS, 'a,b');
});
