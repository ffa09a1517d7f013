import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startUpload } from './helpers/native-call.ts';
import { RawConnection } from './helpers/raw-connection.ts';
import { clientToken } from './helpers/secrets.ts';
import { withService } from './helpers/with-service.ts';

/*
 * Client-controlled inputs cost bounded work: each of these once took the process down or gave a 500.
 */

const user = [{ role: 'user', content: 'hi' }];

function doublingSchema(levels: number): Record<string, unknown> {
  const definitions: Record<string, unknown> = { level0: { type: 'string', description: 'leaf' } };
  for (let level = 1; level <= levels; level += 1) {
    const previous = { $ref: `#/$defs/level${level - 1}` };
    definitions[`level${level}`] = { type: 'object', properties: { left: previous, right: previous } };
  }
  return { type: 'object', $defs: definitions, properties: { root: { $ref: `#/$defs/level${levels}` } } };
}

/** JSON text of an object nested `levels` deep (built as text: JSON.stringify itself would overflow). */
function nested(levels: number): string {
  return `${'{"include_thoughts":'.repeat(levels)}true${'}'.repeat(levels)}`;
}

function chat(url: string, body: Record<string, unknown>, raw = ''): Promise<Response> {
  const text = JSON.stringify({ model: 'gemini-2.5-flash', messages: user, ...body });
  return fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${clientToken}`, 'content-type': 'application/json' },
    body: raw === '' ? text : `${text.slice(0, -1)},${raw}}`,
  });
}

async function openAIError(response: Response): Promise<{ message: string; param: string | null }> {
  const body = (await response.json()) as { error: { message: string; param: string | null } };
  return body.error;
}

describe('bounded work for client-controlled inputs', () => {
  test('a 3 KB tool schema whose $defs double 26 times is a 400, not a heap blow-up', async () => {
    await withService({}, async ({ mock, service }) => {
      const parameters = doublingSchema(26);
      const tools = [{ type: 'function', function: { name: 'f', parameters } }];
      const response = await chat(service.url, { tools });
      assert.equal(response.status, 400);
      assert.match((await openAIError(response)).message, /\$ref/);
      const format = { type: 'json_schema', json_schema: { name: 'x', schema: doublingSchema(26) } };
      const structured = await chat(service.url, { response_format: format });
      assert.equal(structured.status, 400);
      assert.equal(mock.received.length, 0);
      assert.equal((await fetch(`${service.url}/health`)).status, 200);
    });
  });

  test('the Anthropic surface refuses the doubling $defs tool schema too, in its own error shape', async () => {
    await withService({}, async ({ mock, service }) => {
      const response = await fetch(`${service.url}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': clientToken, 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'gemini-2.5-flash',
          max_tokens: 16,
          messages: user,
          tools: [{ name: 'f', input_schema: doublingSchema(26) }],
        }),
      });
      assert.equal(response.status, 400);
      const body = (await response.json()) as { type: string; error: { type: string; message: string } };
      assert.equal(body.error.type, 'invalid_request_error');
      assert.match(body.error.message, /\$ref/);
      assert.equal(mock.received.length, 0);
    });
  });

  test('the Anthropic surface shares one schema budget across all tools of a request', async () => {
    await withService({}, async ({ mock, service }) => {
      const messages = (tools: unknown[]) =>
        fetch(`${service.url}/v1/messages`, {
          method: 'POST',
          headers: { 'x-api-key': clientToken, 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'gemini-2.5-flash', max_tokens: 16, messages: user, tools }),
        });
      // 8 levels: about 1 KB that inlines to about 22 KB, within a budget of its own (16 KiB + 16x).
      const tool = (index: number) => ({ name: `f${index}`, input_schema: doublingSchema(8) });
      const alone = await messages([tool(0)]);
      assert.equal(alone.status, 200, 'one such tool fits its budget');
      assert.equal(mock.received.length, 1);
      // Eight of them each fit a budget of their own, not one budget for the request.
      const many = await messages(Array.from({ length: 8 }, (_, index) => tool(index)));
      assert.equal(many.status, 400);
      const body = (await many.json()) as { type: string; error: { type: string; message: string } };
      assert.equal(body.type, 'error');
      assert.equal(body.error.type, 'invalid_request_error');
      assert.match(body.error.message, /\$ref/);
      assert.equal(mock.received.length, 1, 'nothing more went upstream');
    });
  });

  test('deeply nested google.thinking_config and safety_settings are a 400, not a stack overflow', async () => {
    await withService({}, async ({ mock, service }) => {
      const thinking = await chat(service.url, {}, `"google":{"thinking_config":${nested(20_000)}}`);
      assert.equal(thinking.status, 400);
      assert.match((await openAIError(thinking)).message, /nested/);
      const safety = await chat(
        service.url,
        {},
        `"extra_body":{"google":{"safety_settings":[${nested(20_000)}]}}`,
      );
      assert.equal(safety.status, 400);
      assert.equal(mock.received.length, 0);
    });
  });

  test('a malformed percent escape in the query is a 400 on every surface', async () => {
    await withService({}, async ({ mock, service }) => {
      const headers = { 'x-goog-api-key': clientToken, 'content-type': 'application/json' };
      for (const query of ['?alt=%', '?alt=%zz', '?key=%E0%A4%A']) {
        const native = await fetch(`${service.url}/v1beta/models/gemini-2.5-flash:generateContent${query}`, {
          method: 'POST',
          headers,
          body: '{}',
        });
        assert.equal(native.status, 400, query);
        const models = await fetch(`${service.url}/v1beta/models${query}`, { headers });
        assert.equal(models.status, 400, query);
      }
      assert.equal(mock.received.length, 0);
    });
  });
});

describe('upload capabilities', () => {
  test('an upload id opens its own upload only: not other /upload/ paths, other methods, or new uploads', async () => {
    await withService({}, async ({ mock, service }) => {
      const start = await startUpload(service.url);
      const uploadUrl = new URL(start.headers.get('x-goog-upload-url') ?? '');
      const id = uploadUrl.searchParams.get('upload_id') ?? '';
      assert.notEqual(id, '');
      const before = mock.received.length;
      const attempts: Array<[string, RequestInit]> = [
        [`/upload/v1beta/fileSearchStores/x:uploadToFileSearchStore?upload_id=${id}`, { method: 'POST' }],
        [`/upload/v1/files?upload_id=${id}`, { method: 'POST' }],
        [`${uploadUrl.pathname}${uploadUrl.search}`, { method: 'GET' }],
        [`${uploadUrl.pathname}${uploadUrl.search}`, { method: 'DELETE' }],
        [
          `${uploadUrl.pathname}${uploadUrl.search}`,
          { method: 'POST', headers: { 'x-goog-upload-command': 'start' }, body: '{}' },
        ],
      ];
      for (const [path, init] of attempts) {
        const response = await fetch(`${service.url}${path}`, init);
        assert.equal(response.status, 401, `${init.method} ${path}`);
      }
      assert.equal(mock.received.length, before, 'nothing went upstream');
      const chunk = await fetch(uploadUrl.href.replace(uploadUrl.origin, service.url), {
        method: 'POST',
        body: 'hello',
        headers: { 'x-goog-upload-command': 'upload, finalize', 'x-goog-upload-offset': '0' },
      });
      assert.equal(chunk.status, 200, 'the upload itself still continues without a token');
    });
  });
});

describe('model lookups', () => {
  test('a model id of ".." never sends /v1beta/models/.. upstream', async () => {
    await withService({}, async ({ mock, service }) => {
      // Written by hand: fetch would resolve the dots before sending.
      for (const id of ['%2e%2e', '%2E', '..%2f..']) {
        const connection = new RawConnection(service.url);
        connection.write(
          `GET /v1/models/${id} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${clientToken}\r\nConnection: close\r\n\r\n`,
        );
        await connection.closed;
        assert.match(connection.received, /^HTTP\/1\.1 4\d\d /, id);
      }
      assert.ok(mock.received.every((request) => !/\/\.\.?(\/|$|\?)/.test(request.url)));
    });
  });
});
