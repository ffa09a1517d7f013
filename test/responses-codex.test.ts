import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { clientToken } from './helpers/secrets.ts';
import { withService } from './helpers/with-service.ts';
import { ScriptedGemini } from './mock-upstream/scripted-gemini.ts';

const codex = join(import.meta.dirname, '..', 'node_modules', '.bin', 'codex');

/**
 * The Codex CLI (`codex exec`, from npm `@openai/codex`, a native binary) pointed at the service as a
 * custom provider with `wire_api = "responses"`. It speaks only the Responses API, streams, sends
 * `store: false` and hands back the whole history each turn, reasoning items with their
 * encrypted_content included. The mock plays Gemini 3: one shell command, then an answer.
 */
test('the Codex CLI runs a tool and finishes, against a Gemini 3 mock that enforces thought signatures', async () => {
  const scripted = new ScriptedGemini();
  scripted.script(
    {
      parts: [
        { thought: 'Write the file.' },
        { call: 'exec_command', args: { cmd: 'echo codex-was-here > proof.txt' } },
      ],
    },
    { parts: [{ text: 'Done: proof.txt is written.' }] },
  );
  const outside = await OutsideRecorder.start();
  const home = mkdtempSync(join(tmpdir(), 'codex-home-'));
  const work = mkdtempSync(join(tmpdir(), 'codex-work-'));
  try {
    await withService({ override: scripted.override }, async ({ service }) => {
      const run = await runCodex(service.url, { home, work, proxy: outside.url });
      assert.equal(run.code, 0, run.output);
      assert.match(run.output, /Done: proof\.txt is written\./);
    });
    assert.equal(readFileSync(join(work, 'proof.txt'), 'utf8'), 'codex-was-here\n');
    assert.equal(scripted.remaining, 0);
    // The second turn carried the function call back with the signature Gemini minted for it.
    const call = scripted.bodies[1]?.contents
      ?.flatMap((content) => content.parts ?? [])
      .find((part) => part.functionCall);
    assert.ok(call?.thoughtSignature !== undefined && scripted.minted.has(call.thoughtSignature));
    // Anything else Codex tried to reach (telemetry, model metadata) went to the refusing proxy, not out.
    process.stdout.write(`# codex tried to reach: ${outside.targets.join(', ') || 'nothing else'}\n`);
  } finally {
    await outside.close();
    rmSync(home, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
});

async function runCodex(
  serviceUrl: string,
  options: { home: string; work: string; proxy: string },
): Promise<{ code: number | null; output: string }> {
  assert.ok(existsSync(codex), 'npm ci installs the Codex CLI (devDependency @openai/codex)');
  const provider = 'model_providers.gemini-balance';
  const child = spawn(
    codex,
    [
      'exec',
      '--skip-git-repo-check',
      '--dangerously-bypass-approvals-and-sandbox',
      ...['-c', 'model_provider="gemini-balance"'],
      ...['-c', `${provider}.name="Gemini Balance"`],
      ...['-c', `${provider}.base_url="${serviceUrl}/v1"`],
      ...['-c', `${provider}.wire_api="responses"`],
      ...['-c', `${provider}.env_key="GEMINI_BALANCE_TOKEN"`],
      ...['-c', `${provider}.request_max_retries=0`],
      ...['-c', `${provider}.stream_max_retries=0`],
      ...['-m', 'gemini-3-pro-preview'],
      'Write codex-was-here to proof.txt',
    ],
    {
      cwd: options.work,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: options.home,
        CODEX_HOME: options.home,
        GEMINI_BALANCE_TOKEN: clientToken,
        HTTPS_PROXY: options.proxy,
        HTTP_PROXY: options.proxy,
        NO_PROXY: '127.0.0.1,localhost',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  // A bound, not a timing assertion: a hung CLI must not hang the suite.
  const guard = setTimeout(() => child.kill('SIGKILL'), 120_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(guard);
  return { code, output };
}

/** An HTTP proxy that refuses every tunnel and remembers where it was asked to go. */
class OutsideRecorder {
  readonly targets: string[] = [];
  readonly #server = createServer((request, response) => {
    this.targets.push(request.url ?? '');
    response.writeHead(403).end();
  });

  static async start(): Promise<OutsideRecorder> {
    const recorder = new OutsideRecorder();
    recorder.#server.on('connect', (request, socket) => {
      recorder.targets.push(request.url ?? '');
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    });
    await new Promise<void>((resolve) => recorder.#server.listen(0, '127.0.0.1', resolve));
    return recorder;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
