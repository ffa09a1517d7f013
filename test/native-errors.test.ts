import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { describe, test } from 'node:test';
import { fingerprintKey } from '../src/secrets/fingerprint.ts';
import { startUpload } from './helpers/native-call.ts';
import { clientToken, poolKeys, testLogFile, wrongToken } from './helpers/secrets.ts';
import { startService } from './helpers/start-service.ts';
import { useMockAndService } from './helpers/with-service.ts';
import { MockGemini } from './mock-upstream/mock-gemini.ts';

const generate = '/v1beta/models/gemini-2.5-flash:generateContent';
const body = '{"contents":[{"parts":[{"text":"hi"}]}]}';

describe('bad input gets a clear Gemini-format error', () => {
  const bed = useMockAndService({ env: { MAX_BODY_BYTES: '1024' } });

  async function call(path: string, init: RequestInit = {}) {
    const response = await fetch(`${bed.service.url}${path}`, init);
    const text = await response.text();
    return {
      status: response.status,
      text,
      json: JSON.parse(text) as { error: { code: number; status: string; message: string } },
    };
  }

  test('unknown path → 404 JSON', async () => {
    // No socket needed: the app answers in-process.
    const result = await bed.service.app.inject({
      url: '/nowhere/at/all',
      headers: { 'x-goog-api-key': clientToken },
    });
    assert.equal(result.statusCode, 404);
    const json = result.json<{ error: { status: string } }>();
    assert.deepEqual(Object.keys(json.error).sort(), ['code', 'message', 'status']);
    assert.equal(json.error.status, 'NOT_FOUND');
  });

  test('a malformed URL → 400 in the Gemini format, and an unknown /openai/ path → 404 in the OpenAI format', async () => {
    const bad = await call('/v1beta/models/%E0%A4:generateContent', {
      headers: { 'x-goog-api-key': clientToken },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error.status, 'INVALID_ARGUMENT');
    const response = await bed.service.app.inject({
      url: '/openai/v1/nothing-here',
      headers: { authorization: `Bearer ${clientToken}` },
    });
    assert.equal(response.statusCode, 404);
    const body = response.json<{ error: { type: string; message: string } }>();
    assert.equal(body.error.type, 'not_found_error');
  });

  test('body over the limit → 413, declared or streamed without a length', async () => {
    const before = bed.mock.received.length;
    const big = 'x'.repeat(4096);
    const declared = await call(generate, {
      method: 'POST',
      body: big,
      headers: { 'x-goog-api-key': clientToken },
    });
    assert.equal(declared.status, 413);
    assert.equal(declared.json.error.code, 413);
    assert.equal(bed.mock.received.length, before, 'a declared oversize body never goes upstream');
    const chunked = await call(generate, {
      method: 'POST',
      body: new Blob([big]).stream(),
      duplex: 'half',
      headers: { 'x-goog-api-key': clientToken },
    } as RequestInit);
    assert.equal(chunked.status, 413);
  });

  for (const [name, headers] of [
    ['no token', {}],
    ['a wrong token', { 'x-goog-api-key': wrongToken }],
    ['a wrong bearer token', { authorization: 'Bearer not-a-token' }],
    ['a pool key used as a client token', { 'x-goog-api-key': poolKeys[0] }],
  ] as const) {
    test(`${name} → 401 and the upstream is never called`, async () => {
      const before = bed.mock.received.length;
      const result = await call(generate, { method: 'POST', body, headers });
      assert.equal(result.status, 401);
      assert.equal(result.json.error.status, 'UNAUTHENTICATED');
      assert.equal(bed.mock.received.length, before);
    });
  }

  test('an upload URL we handed out opens that upload only, not other routes', async () => {
    const start = await startUpload(bed.service.url);
    const uploadUrl = start.headers.get('x-goog-upload-url') ?? '';
    assert.ok(uploadUrl.startsWith(bed.service.url), 'the upload URL points back at us');
    const uploadId = new URL(uploadUrl).searchParams.get('upload_id');
    assert.ok(uploadId);
    const elsewhere = await call(`${generate}?upload_id=${uploadId}`, { method: 'POST', body });
    assert.equal(elsewhere.status, 401);
    const before = bed.mock.received.length;
    const chunk = await fetch(uploadUrl, {
      method: 'POST',
      body: 'hello',
      headers: { 'x-goog-upload-command': 'upload, finalize', 'x-goog-upload-offset': '0' },
    });
    assert.equal(chunk.status, 200, 'the upload itself continues without a token, as at Google');
    assert.equal(bed.mock.received.length, before + 1);
  });

  test('dot segments are refused: an upload URL cannot be walked to another route', async () => {
    const start = await fetch(`${bed.service.url}/upload/v1beta/files`, {
      method: 'POST',
      body: '{}',
      headers: {
        'x-goog-api-key': clientToken,
        'x-goog-upload-protocol': 'resumable',
        'x-goog-upload-command': 'start',
      },
    });
    const uploadId = new URL(start.headers.get('x-goog-upload-url') ?? '').searchParams.get('upload_id');
    const before = bed.mock.received.length;
    // node:http with a path option sends it as written; a URL (fetch too) would resolve the dots.
    const raw = (path: string, headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const { hostname, port } = new URL(bed.service.url);
        const outgoing = request({ hostname, port, path, method: 'POST', headers });
        outgoing.on('response', (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        outgoing.on('error', reject);
        outgoing.end(body);
      });
    for (const path of [
      '/upload/../v1beta/models/x:generateContent',
      '/upload/%2e%2e/v1beta/models/x:generateContent',
    ]) {
      assert.equal(await raw(`${path}?upload_id=${uploadId}`, {}), 401, path);
      assert.equal(await raw(`${path}?upload_id=${uploadId}`, { 'x-goog-api-key': clientToken }), 400, path);
    }
    assert.equal(bed.mock.received.length, before, 'nothing went upstream');
  });

  test('an upload start is small metadata: a large one is refused at the body limit, not buffered', async () => {
    const result = await call('/upload/v1beta/files', {
      method: 'POST',
      body: 'x'.repeat(4096),
      headers: {
        'x-goog-api-key': clientToken,
        'x-goog-upload-protocol': 'resumable',
        'x-goog-upload-command': 'start',
      },
    });
    assert.equal(result.status, 413);
  });

  test('a malformed URL does not echo the token it carries', async () => {
    const response = await fetch(`${bed.service.url}/v1beta/%zz?key=${clientToken}`);
    const text = await response.text();
    assert.equal(response.status, 400);
    assert.ok(!text.includes(clientToken));
  });

  test('a client token in a percent-encoded key parameter never reaches the upstream', async () => {
    const response = await fetch(`${bed.service.url}${generate}?%6Bey=${clientToken}&alt=json`, {
      method: 'POST',
      body,
    });
    assert.equal(response.status, 200);
    await response.arrayBuffer();
    const seen = bed.mock.received.at(-1)!;
    assert.equal(seen.url, `${generate}?alt=json`);
  });

  test('Expect: 100-continue (curl sends it for large bodies) is not forwarded and costs no key', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const outgoing = request(`${bed.service.url}${generate}`, {
        method: 'POST',
        headers: {
          'x-goog-api-key': clientToken,
          expect: '100-continue',
          'content-length': Buffer.byteLength(body),
        },
      });
      outgoing.on('continue', () => outgoing.end(body));
      outgoing.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      outgoing.on('error', reject);
    });
    assert.equal(status, 200);
    assert.equal(bed.mock.received.at(-1)?.headers.expect, undefined);
    for (const key of poolKeys) assert.equal(bed.service.pool.get(fingerprintKey(key))?.failureStreak, 0);
  });

  test('the token is accepted in each of the three places', async () => {
    for (const init of [
      { headers: { 'x-goog-api-key': clientToken } },
      { headers: { authorization: `Bearer ${clientToken}` } },
      { headers: {}, query: `?key=${clientToken}` },
    ]) {
      const response = await fetch(`${bed.service.url}${generate}${init.query ?? ''}`, {
        method: 'POST',
        body,
        headers: init.headers,
      });
      assert.equal(response.status, 200);
      await response.arrayBuffer();
    }
  });

  test('an upstream error body that quotes the pool key reaches the client with the key masked', async () => {
    bed.mock.override = (request, response) => {
      const text = `{"error":{"code":403,"message":"Consumer 'api_key:${request.key}' has been suspended.","status":"PERMISSION_DENIED"}}`;
      response.writeHead(403, { 'content-type': 'application/json; charset=UTF-8' });
      response.end(text);
      return true;
    };
    try {
      const result = await call(generate, {
        method: 'POST',
        body,
        headers: { 'x-goog-api-key': clientToken },
      });
      assert.equal(result.status, 403);
      for (const key of poolKeys) assert.ok(!result.text.includes(key));
      assert.match(result.json.error.message, /api_key:key_[0-9a-f]+/);
    } finally {
      bed.mock.override = undefined;
    }
  });

  test('health needs no token', async () => {
    const response = await bed.service.app.inject({ url: '/health' });
    assert.deepEqual(response.json(), { status: 'ok' });
  });

  test('/docs serves the OpenAPI page and its JSON describes our routes', async () => {
    const page = await bed.service.app.inject({ url: '/docs' });
    assert.equal(page.statusCode, 200);
    const spec = (await bed.service.app.inject({ url: '/docs/json' })).json<{
      paths: Record<string, unknown>;
    }>();
    assert.ok('/health' in spec.paths);
    assert.ok(Object.keys(spec.paths).some((path) => path.startsWith('/v1beta/')));
  });
});

describe('upstream failures', () => {
  test('upstream down → 502 in the Gemini format, and the service keeps serving', async () => {
    const service = await startService('http://127.0.0.1:9');
    try {
      const response = await fetch(`${service.url}${generate}`, {
        method: 'POST',
        body,
        headers: { 'x-goog-api-key': clientToken },
      });
      assert.equal(response.status, 502);
      assert.equal(((await response.json()) as { error: { status: string } }).error.status, 'UNAVAILABLE');
      assert.equal((await fetch(`${service.url}/health`)).status, 200);
    } finally {
      await service.close();
    }
  });

  test('upstream silent past the first-byte timeout → 504', async () => {
    const mock = await MockGemini.start();
    mock.override = () => true; // never answers
    const service = await startService(mock.url, { UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '200' });
    try {
      const response = await fetch(`${service.url}${generate}`, {
        method: 'POST',
        body,
        headers: { 'x-goog-api-key': clientToken },
      });
      assert.equal(response.status, 504);
      assert.equal(
        ((await response.json()) as { error: { status: string } }).error.status,
        'DEADLINE_EXCEEDED',
      );
    } finally {
      await service.close();
      await mock.close();
    }
  });
});

describe('start-up configuration', () => {
  async function start(env: Record<string, string>) {
    const child = spawn(process.execPath, ['src/main.ts'], {
      env: { PATH: process.env.PATH ?? '', TMPDIR: tmpdir(), LOG_FILE: testLogFile, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const [code] = await once(child, 'exit');
    clearTimeout(timer);
    return { code: code as number | null, output };
  }

  test('bad values stop start-up with one message naming every bad variable, exit non-zero', async () => {
    const result = await start({ PORT: 'eighty', GEMINI_BASE_URL: 'not a url', LOG_LEVEL: 'loud' });
    assert.notEqual(result.code, 0);
    assert.match(result.output, /PORT: expected a whole number/);
    assert.match(result.output, /GEMINI_BASE_URL: expected an http\(s\) URL/);
    assert.match(result.output, /LOG_LEVEL: expected one of/);
  });

  test('a public address without client tokens refuses to start, naming ALLOWED_TOKENS', async () => {
    const result = await start({ HOST: '0.0.0.0', PORT: '0' });
    assert.notEqual(result.code, 0);
    assert.match(result.output, /ALLOWED_TOKENS: must be set/);
  });
});
