import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { clientToken } from './helpers/secrets.ts';
import { withService } from './helpers/with-service.ts';
import { fixtureBytes, splitSseEvents } from './mock-upstream/fixtures.ts';
import type { Override } from './mock-upstream/mock-gemini.ts';

/**
 * Claude Code itself (npm `@anthropic-ai/claude-code`, a native binary per platform) in `-p` mode,
 * pointed at the service, with the mock upstream playing Gemini 3: first a call of Claude Code's
 * Read tool, then the answer. Measured with strace (2.1.332, non-essential traffic off): one TCP
 * connection, to ANTHROPIC_BASE_URL only, two POST /v1/messages?beta=true; nothing else.
 */
function claudeBinary(): string | undefined {
  const require = createRequire(import.meta.url);
  const report = process.report.getReport() as { header?: { glibcVersionRuntime?: string } };
  const musl = process.platform === 'linux' && report.header?.glibcVersionRuntime === undefined;
  const name = `@anthropic-ai/claude-code-${process.platform}-${process.arch}${musl ? '-musl' : ''}`;
  try {
    return join(
      dirname(require.resolve(`${name}/package.json`)),
      process.platform === 'win32' ? 'claude.exe' : 'claude',
    );
  } catch {
    return undefined;
  }
}

const binary = claudeBinary();
const secret = 'The secret word is pelican.';

/** Gemini 3 as the mock plays it: a Read call (recorded answer, name and args edited), then text. */
function readThenAnswer(file: string): Override {
  return (request, response) => {
    if (!request.url.includes(':streamGenerateContent')) return false;
    const body = request.body.toString('utf8');
    const answered = body.includes('"functionResponse"');
    const recorded = fixtureBytes(
      answered ? 'stream-alt-sse.txt' : 'stream-alt-sse-function-call-gemini3.txt',
    );
    const text = answered
      ? recorded
          .toString('utf8')
          .replace('The capital of Mexico', 'The secret word')
          .replace(' is Mexico City.', ' is pelican.')
      : recorded
          .toString('utf8')
          .replace(
            '"name": "get_country","args": {}',
            `"name": "Read","args": {"file_path": ${JSON.stringify(file)}}`,
          );
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const piece of splitSseEvents(Buffer.from(text))) response.write(piece);
    response.end();
    return true;
  };
}

test(binary === undefined
  ? 'Claude Code -p runs a tool loop through the service (skipped: no @anthropic-ai/claude-code binary for this platform in node_modules)'
  : 'Claude Code -p runs a tool loop through the service and prints the answer', {
  skip: binary === undefined,
  timeout: 120_000,
}, async () => {
  assert.ok(binary);
  const folder = mkdtempSync(join(tmpdir(), 'claude-code-work-'));
  const home = mkdtempSync(join(tmpdir(), 'claude-code-home-'));
  const file = join(folder, 'notes.txt');
  writeFileSync(file, 'pelican\n');
  try {
    await withService({ override: readThenAnswer(file) }, async ({ mock, service }) => {
      const run = await runClaude(binary, folder, {
        HOME: home,
        PATH: process.env.PATH ?? '',
        ANTHROPIC_BASE_URL: service.url,
        ANTHROPIC_API_KEY: clientToken,
        ANTHROPIC_MODEL: 'gemini-3-pro-preview',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        DISABLE_TELEMETRY: '1',
        DISABLE_AUTOUPDATER: '1',
        DISABLE_ERROR_REPORTING: '1',
      });
      assert.equal(run.code, 0, `claude exited with ${run.code}: ${run.stdout}${run.stderr}`);
      assert.equal(run.stdout.trim(), secret);
      const calls = mock.requestsTo('gemini-3-pro-preview:streamGenerateContent');
      assert.equal(calls.length, 2, 'one tool call, one answer');
      const followUp = JSON.parse(calls[1]?.body.toString('utf8') ?? '{}') as {
        contents: Array<{ role: string; parts: Array<Record<string, unknown>> }>;
      };
      const call = followUp.contents
        .flatMap((content) => content.parts)
        .find((part) => 'functionCall' in part);
      const signature = /"thoughtSignature": "([^"]+)"/.exec(
        fixtureBytes('stream-alt-sse-function-call-gemini3.txt').toString('utf8'),
      )?.[1];
      assert.equal(call?.thoughtSignature, signature, "Gemini's own signature went back with the Read call");
      assert.match(
        JSON.stringify(followUp),
        /"functionResponse":\{"name":"Read","response":\{"output":"[^"]*pelican/,
      );
    });
  } finally {
    rmSync(folder, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }
});

/** Runs `claude -p`, killed (by its own PID) if it has not finished within 90 s. */
function runClaude(
  binary: string,
  cwd: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    binary,
    ['-p', 'What is the secret word in notes.txt? Read the file.', '--allowedTools', 'Read'],
    {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
