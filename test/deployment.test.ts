import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { z } from 'zod';
import { startCommand } from './helpers/start-command.ts';

// No Docker engine runs here: what can be checked without one is checked.

const dockerfile = readFileSync('Dockerfile', 'utf8');

test('the image starts the service with the command the tests run, the one npm start runs on Node 24', () => {
  const command = startCommand();
  assert.deepEqual(command, ['node', 'src/main.ts']);
  const scripts = z
    .object({ scripts: z.object({ start: z.string() }) })
    .parse(JSON.parse(readFileSync('package.json', 'utf8')));
  // npm start goes through the launcher (Node 24 on any machine); the image has Node 24 already.
  assert.equal(scripts.scripts.start, `node scripts/run.cjs ${command.slice(1).join(' ')}`);
});

test('the image: multi-stage on Node 24 slim, non-root, health-checked, volumes, no tests or benchmarks', () => {
  const stages = dockerfile.match(/^FROM\s+\S+/gm) ?? [];
  assert.ok(stages.length >= 2, 'multi-stage');
  for (const stage of stages) assert.match(stage, /^FROM\s+node:24-slim$/);
  assert.match(dockerfile, /^USER\s+node$/m);
  assert.match(dockerfile, /^HEALTHCHECK\b[\s\S]*\/health/m);
  assert.match(dockerfile, /^VOLUME\s+\["\/app\/data", "\/app\/logs"\]$/m);
  const copied = [...dockerfile.matchAll(/^COPY\s+(?:--from=\S+\s+)?(.+?)\s+\S+$/gm)].map(
    (match) => match[1],
  );
  assert.deepEqual(copied, ['package.json package-lock.json', '/app/node_modules', 'package.json', 'src']);
  const ignored = readFileSync('.dockerignore', 'utf8').split('\n');
  for (const pattern of ['test', 'bench', 'src/**/*.test.ts', '.env', 'node_modules'])
    assert.ok(ignored.includes(pattern), `.dockerignore lists ${pattern}`);
});

/** Compose's `${NAME}`, `${NAME:-default}` and `${NAME:?message}` interpolation, for the checks below. */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_whole, name: string, kind?: string, rest = '') => {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    if (kind === '?') throw new Error(`required variable ${name} is missing a value: ${rest}`);
    return kind === '-' ? rest : '';
  });
}

const serviceSchema = z.object({
  build: z.string().optional(),
  image: z.string().optional(),
  profiles: z.array(z.string()).optional(),
  ports: z.array(z.string()).optional(),
  environment: z.record(z.string(), z.string()).optional(),
  env_file: z.array(z.object({ path: z.string(), required: z.boolean() })).optional(),
  volumes: z.array(z.string()).optional(),
  depends_on: z.union([z.array(z.string()), z.record(z.string(), z.unknown())]).optional(),
});
const composeSchema = z.object({
  services: z.record(z.string(), serviceSchema),
  volumes: z.record(z.string(), z.null()),
});

function readCompose(env: Record<string, string>) {
  const withTokens = { ALLOWED_TOKENS: 'client-token', ...env };
  return composeSchema.parse(parse(interpolate(readFileSync('compose.yaml', 'utf8'), withTokens)));
}

test('compose.yaml parses, references only files that exist and volumes it declares', () => {
  const compose = readCompose({});
  assert.deepEqual(Object.keys(compose.services).sort(), ['caddy', 'egress', 'gemini-balance', 'redis']);
  const service = compose.services['gemini-balance'];
  assert.equal(service?.build, '.');
  assert.ok(existsSync('Dockerfile'));
  for (const [name, definition] of Object.entries(compose.services)) {
    for (const volume of definition.volumes ?? []) {
      const source = volume.split(':')[0] ?? '';
      if (source.startsWith('.')) assert.ok(existsSync(source), `${name}: ${source} exists`);
      else assert.ok(source in compose.volumes, `${name}: volume ${source} is declared`);
    }
    for (const dependency of Object.keys(definition.depends_on ?? {}))
      assert.ok(Array.isArray(definition.depends_on) || dependency in compose.services);
  }
  assert.deepEqual(compose.services.egress?.profiles, ['egress']);
});

test('compose works without .env, honours PORT, scales behind Caddy, wires Redis and the egress proxy', () => {
  const defaults = readCompose({});
  const service = defaults.services['gemini-balance'];
  assert.deepEqual(service?.env_file, [{ path: '.env', required: false }], '.env is optional');
  assert.equal(service?.ports, undefined, 'replicas publish no host port, so --scale cannot collide');
  assert.equal(service?.environment?.PORT, '8000');
  assert.equal(service?.environment?.REDIS_URL, 'redis://redis:6379');
  assert.equal(service?.environment?.PROXY_URL, '');
  assert.deepEqual(defaults.services.caddy?.ports, ['8000:80', '443:443']);
  assert.equal(defaults.services.caddy?.environment?.SITE_ADDRESS, ':80', 'plain HTTP without a domain');
  const withDomain = readCompose({ DOMAIN: 'gemini.example.com' });
  assert.equal(withDomain.services.caddy?.environment?.SITE_ADDRESS, 'gemini.example.com');
  const custom = readCompose({ PORT: '9000', PROXY_URL: 'http://egress:3128' });
  assert.deepEqual(custom.services.caddy?.ports, ['9000:80', '443:443']);
  assert.equal(custom.services['gemini-balance']?.environment?.PROXY_URL, 'http://egress:3128');
  assert.equal(custom.services['gemini-balance']?.environment?.PORT, '8000', 'inside, always 8000');
  // Caddy asks Docker's DNS for every replica of the service, on the port it listens on.
  const caddyfile = readFileSync('Caddyfile', 'utf8');
  assert.match(
    caddyfile,
    /dynamic a \{[^}]*name \{\$UPSTREAM_NAME:gemini-balance\}[^}]*port \{\$UPSTREAM_PORT:8000\}/,
  );
  assert.ok(existsSync('deploy/egress-squid.conf'));
  assert.match(readFileSync('deploy/egress-squid.conf', 'utf8'), /^http_port 3128$/m);
});

const caddy = spawnSync('caddy', ['version']).status === 0;

test('Caddy validates the Caddyfile, with and without DOMAIN', {
  skip: caddy ? false : 'caddy is not installed',
}, () => {
  for (const domain of [undefined, ':80', 'gemini.example.com']) {
    const env = { ...process.env, SITE_ADDRESS: domain };
    const output = execFileSync('caddy', ['validate', '--config', 'Caddyfile', '--adapter', 'caddyfile'], {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    assert.match(output, /Valid configuration/);
    const adapted = JSON.parse(
      execFileSync('caddy', ['adapt', '--config', 'Caddyfile'], {
        env,
        encoding: 'utf8',
      }),
    ) as { apps: { http: { servers: Record<string, { listen: string[] }> } } };
    const listen = Object.values(adapted.apps.http.servers).flatMap((server) => server.listen);
    assert.deepEqual(
      listen,
      domain === 'gemini.example.com' ? [':443'] : [':80'],
      'HTTPS only with a domain',
    );
  }
});
