import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { describe, test } from 'node:test';
import { clientToken, testLogFile } from './helpers/secrets.ts';
import { waitFor } from './helpers/wait-for.ts';
import { useMockAndService } from './helpers/with-service.ts';
import { fixtureBytes } from './mock-upstream/fixtures.ts';

const body = JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] });

describe('native pass-through fidelity', () => {
  const bed = useMockAndService();

  async function both(path: string) {
    const init = { method: 'POST', body, headers: { 'content-type': 'application/json' } };
    const direct = await fetch(`${bed.mock.url}${path}`, init);
    const proxied = await fetch(`${bed.service.url}${path}`, {
      ...init,
      headers: { ...init.headers, 'x-goog-api-key': clientToken },
    });
    return {
      direct: {
        status: direct.status,
        type: direct.headers.get('content-type'),
        bytes: Buffer.from(await direct.arrayBuffer()),
      },
      proxied: {
        status: proxied.status,
        type: proxied.headers.get('content-type'),
        bytes: Buffer.from(await proxied.arrayBuffer()),
      },
    };
  }

  for (const [name, path] of [
    ['generateContent', '/v1beta/models/gemini-2.5-flash:generateContent'],
    ['an alt=sse stream', '/v1beta/models/gemini-3-pro-preview:streamGenerateContent?alt=sse'],
    ['a JSON-array stream', '/v1beta/models/gemini-flash-latest:streamGenerateContent'],
    ['an upstream 404 error body', '/v1beta/models/mock-error-404-model-not-found:generateContent'],
  ] as const) {
    test(`${name}: same status, content type and bytes as straight from the upstream`, async () => {
      const { direct, proxied } = await both(path);
      assert.ok(direct.bytes.length > 0);
      assert.equal(proxied.status, direct.status);
      assert.equal(proxied.type, direct.type);
      assert.ok(proxied.bytes.equals(direct.bytes), `${name} bytes differ`);
    });
  }

  test('the SSE stream keeps its CRLF framing', async () => {
    const { proxied } = await both('/v1beta/models/gemini-3-pro-preview:streamGenerateContent?alt=sse');
    assert.equal(proxied.bytes.toString().split('\r\n\r\n').length - 1, 3);
  });

  test('the request body reaches the upstream byte for byte, minus the client key in the query', async () => {
    const odd =
      '{"contents":[{"parts":[{"text":"\\u00e9 \u00e9","thoughtSignature":"c2ln"}]}],"futureField":1}';
    await fetch(
      `${bed.service.url}/v1beta/models/gemini-2.5-flash:generateContent?key=${clientToken}&foo=a%2Fb`,
      {
        method: 'POST',
        body: odd,
        headers: { 'content-type': 'application/json' },
      },
    );
    const seen = bed.mock.requestsTo('foo=').at(-1);
    assert.equal(seen?.body.toString('utf8'), odd);
    assert.equal(seen?.url, '/v1beta/models/gemini-2.5-flash:generateContent?foo=a%2Fb');
  });

  test('no buffering: a held-back chunk reaches the client before the upstream sends the next', async () => {
    const response = await fetch(
      `${bed.service.url}/v1beta/models/mock-held-stream:streamGenerateContent?alt=sse`,
      {
        method: 'POST',
        body,
        headers: { 'x-goog-api-key': clientToken },
      },
    );
    const reader = response.body!.getReader();
    const first = await reader.read();
    // The mock is still holding event 2 (it waits for release): event 1 got here on its own.
    assert.match(Buffer.from(first.value!).toString(), /^data: .*The capital of Mexico/);
    assert.ok(!Buffer.from(first.value!).toString().includes('Mexico City'));
    bed.mock.releaseHeldStream();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      rest += Buffer.from(chunk.value).toString();
    assert.match(rest, /Mexico City/);
  });

  test('a client abort mid-stream closes the upstream request within a second', async () => {
    const controller = new AbortController();
    const response = await fetch(
      `${bed.service.url}/v1beta/models/mock-endless-stream:streamGenerateContent?alt=sse`,
      {
        method: 'POST',
        body,
        headers: { 'x-goog-api-key': clientToken },
        signal: controller.signal,
      },
    );
    const reader = response.body!.getReader();
    await reader.read();
    const upstream = bed.mock.requestsTo('mock-endless-stream').at(-1)!;
    assert.equal(upstream.closedAt, undefined, 'the upstream stream is still open before the abort');
    const abortedAt = Date.now();
    controller.abort();
    await reader.read().catch(() => undefined);
    await waitFor(() => upstream.closedAt !== undefined, { timeoutMs: 1000 });
    assert.ok(upstream.closedAt !== undefined, 'upstream closed');
    assert.ok(upstream.closedAt - abortedAt < 1000, `closed after ${upstream.closedAt - abortedAt} ms`);
  });

  test('hop-by-hop headers, unknown headers and the client credential are not forwarded', async () => {
    // node:http, not fetch: fetch will not send Connection or Proxy-Authorization itself.
    await new Promise<void>((resolve, reject) => {
      const outgoing = request(`${bed.service.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
        method: 'POST',
        headers: {
          'x-goog-api-key': clientToken,
          'x-goog-api-client': 'google-genai-sdk/1.0.0 gl-node/v24',
          'x-custom': 'dropped',
          'proxy-authorization': 'Basic eA==',
          connection: 'keep-alive, x-listed',
          'x-listed': 'dropped',
          'accept-encoding': 'gzip, br',
        },
      });
      outgoing.on('response', (response) => {
        response.resume();
        response.on('end', resolve);
      });
      outgoing.on('error', reject);
      outgoing.end(body);
    });
    const seen = bed.mock.requestsTo(':generateContent').at(-1)!;
    assert.equal(seen.headers['x-goog-api-client'], 'google-genai-sdk/1.0.0 gl-node/v24');
    assert.equal(seen.headers['x-custom'], undefined, 'only the headers a Gemini client needs go upstream');
    assert.equal(seen.headers['x-listed'], undefined, 'a header named in Connection is hop-by-hop');
    assert.equal(seen.headers['proxy-authorization'], undefined);
    assert.equal(seen.headers.authorization, undefined);
    assert.notEqual(seen.key, clientToken);
    assert.equal(
      seen.headers['accept-encoding'],
      'identity',
      'we read error bodies: no compression upstream',
    );
  });

  test('the summary line carries the token counts read from the tail of the answer, native and OpenAI', async () => {
    const lastTotal = (name: string) =>
      Number(
        [
          ...fixtureBytes(name)
            .toString('utf8')
            .matchAll(/"totalTokenCount":\s*(\d+)/g),
        ].at(-1)?.[1],
      );
    const calls = [
      {
        id: `tokens-native-${Date.now()}`,
        path: '/v1beta/models/x:streamGenerateContent?alt=sse',
        body,
        fixture: 'stream-alt-sse.txt',
      },
      {
        id: `tokens-openai-${Date.now()}`,
        path: '/v1/chat/completions',
        body: '{"model":"gemini-2.5-flash","messages":[{"role":"user","content":"hi"}],"stream":true}',
        fixture: 'stream-alt-sse.txt',
      },
    ];
    for (const call of calls) {
      const response = await fetch(`${bed.service.url}${call.path}`, {
        method: 'POST',
        body: call.body,
        headers: {
          authorization: `Bearer ${clientToken}`,
          'content-type': 'application/json',
          'x-request-id': call.id,
        },
      });
      await response.arrayBuffer();
    }
    // The log file is written asynchronously: wait until every summary line is there.
    const summaryOf = (id: string) =>
      readFileSync(testLogFile, 'utf8')
        .split('\n')
        .find((text) => text.includes(`"reqId":"${id}"`) && text.includes('request completed'));
    await waitFor(() => calls.every((call) => summaryOf(call.id) !== undefined));
    for (const call of calls) {
      const line = summaryOf(call.id);
      assert.ok(line, `summary line for ${call.id}`);
      const summary = JSON.parse(line) as { tokens?: { total?: number } };
      assert.equal(summary.tokens?.total, lastTotal(call.fixture), call.id);
    }
  });
});
