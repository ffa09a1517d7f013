import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { clientToken } from './helpers/secrets.ts';
import { useMockAndService } from './helpers/with-service.ts';

const guide = readFileSync('docs/CLIENTS.md', 'utf8');
/** The origin and token the guide writes; only the origin is swapped for the test's port. */
const guideOrigin = 'http://localhost:8000';
const guideToken = 'my-client-token';

/** The fenced blocks of one language, each with the heading of its section. */
function blocks(language: string): { heading: string; code: string }[] {
  const found: { heading: string; code: string }[] = [];
  let heading = '';
  for (const match of guide.matchAll(/^## (.+)$|^```(\w*)\n([\s\S]*?)^```$/gm)) {
    if (match[1] !== undefined) heading = match[1];
    else if (match[2] === language) found.push({ heading, code: match[3] ?? '' });
  }
  return found;
}

type Run = { code: number | null; stdout: string; stderr: string };

async function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv },
): Promise<Run> {
  const environment: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  delete environment.NODE_TEST_CONTEXT;
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: environment,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const [code] = await once(child, 'exit');
  clearTimeout(timer);
  return { code: code as number | null, stdout, stderr };
}

describe('docs/CLIENTS.md, run as written against the service and the mock upstream', () => {
  const bed = useMockAndService({ env: { ALLOWED_TOKENS: `${clientToken},${guideToken}` } });

  test('the guide has the Node snippets and curl lines this test runs', () => {
    assert.ok(blocks('js').length >= 6, 'six Node snippets or more');
    assert.ok(blocks('sh').some((block) => block.heading === 'curl'));
  });

  for (const snippet of blocks('js')) {
    test(`Node: ${snippet.heading}`, async () => {
      const before = bed.mock.received.length;
      const code = snippet.code.replaceAll(guideOrigin, bed.service.url);
      // Evaluated from the checkout, so the packages resolve from its node_modules.
      const result = await run(process.execPath, ['--input-type=module', '--eval', code], {});
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /\S/, 'the snippet printed the answer');
      assert.ok(bed.mock.received.length > before, 'the call reached the upstream through the service');
    });
  }

  test('curl lines', async () => {
    const lines = blocks('sh')
      .filter((block) => block.heading === 'curl')
      .flatMap((block) => block.code.split('\n'))
      .filter((line) => line.startsWith('curl '));
    assert.ok(lines.length >= 3);
    for (const line of lines) {
      const result = await run('sh', ['-c', line.replaceAll(guideOrigin, bed.service.url)], {});
      assert.equal(result.code, 0, `${line}\n${result.stderr}`);
      assert.match(result.stdout, /"(candidates|choices|data|object)"/, line);
      // An error answer is `{"error":{…}}`; a Responses object carries `"error":null` when all went well.
      assert.doesNotMatch(result.stdout, /"error":\s*\{/, line);
    }
  });

  test('Gemini CLI: gemini -p with GOOGLE_GEMINI_BASE_URL and GEMINI_API_KEY', async () => {
    const section = blocks('sh').find((block) => block.heading === 'Gemini CLI');
    assert.ok(section);
    const exported = Object.fromEntries(
      [...section.code.matchAll(/^export (\w+)=(\S+)$/gm)].map((match) => [match[1], match[2]]),
    );
    assert.deepEqual(Object.keys(exported), ['GOOGLE_GEMINI_BASE_URL', 'GEMINI_API_KEY']);
    const prompt = /^gemini -p "(.+)"$/m.exec(section.code)?.[1];
    assert.ok(prompt);
    const settings = blocks('json').find((block) => block.heading === 'Gemini CLI');
    assert.ok(settings, 'the settings.json the guide asks for');
    // A home of its own: the CLI keeps settings and history there; no telemetry, statistics or updates.
    const home = mkdtempSync(join(tmpdir(), 'gb-gemini-cli-'));
    try {
      mkdirSync(join(home, '.gemini'));
      writeFileSync(
        join(home, '.gemini', 'settings.json'),
        JSON.stringify({
          ...(JSON.parse(settings.code) as object),
          telemetry: { enabled: false },
          privacy: { usageStatisticsEnabled: false },
          general: { disableAutoUpdate: true, disableUpdateNag: true },
          // A fixed model: the automatic router's classifier call wants JSON the fixtures do not hold.
          model: { name: 'gemini-2.5-flash' },
        }),
      );
      const before = bed.mock.received.length;
      const result = await run(join(process.cwd(), 'node_modules', '.bin', 'gemini'), ['-p', prompt], {
        cwd: home,
        env: {
          HOME: home,
          ...exported,
          GOOGLE_GEMINI_BASE_URL: exported.GOOGLE_GEMINI_BASE_URL?.replace(guideOrigin, bed.service.url),
          GEMINI_CLI_TRUST_WORKSPACE: 'true',
          GEMINI_TELEMETRY_ENABLED: 'false',
        },
      });
      assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
      const calls = bed.mock.received.slice(before).map((request) => request.url);
      assert.ok(
        calls.some((url) => url.includes(':streamGenerateContent')),
        calls.join('\n'),
      );
      assert.match(result.stdout, /Mexico City/, 'the CLI printed the answer the mock streamed');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
